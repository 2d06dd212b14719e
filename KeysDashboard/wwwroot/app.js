// Copies text for the one-time secret reveal. Falls back to a selection-based copy where the async
// clipboard API is unavailable (plain http on a non-localhost host).
window.keysDashboard = {
    // The viewer's IANA time zone (e.g. "Europe/Berlin"), so the server can show times in it.
    timeZone: function () {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    },
    // Focuses the first of the given element ids that is on the page and visible; a dialog's opener may have
    // been re-rendered, or gone with its row. Returns whether something took focus.
    focus: function (ids) {
        for (const id of ids) {
            const element = document.getElementById(id);
            if (element && element.getClientRects().length > 0) {
                element.focus();
                return true;
            }
        }
        return false;
    },
    copyText: async function (text) {
        if (navigator.clipboard && window.isSecureContext) {
            await navigator.clipboard.writeText(text);
            return true;
        }
        const area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        const ok = document.execCommand("copy");
        document.body.removeChild(area);
        return ok;
    }
};
