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
    // Focuses the first control of the dialog the marker is in (its first field or button), not the dialog box.
    // MudBlazor's focus trap settles a few frames after the dialog renders and may take focus to its own
    // placeholder; so for half a second, whenever focus is not on a control, it is put on the first one.
    focusDialog: function (marker) {
        const controls = "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled]), button:not([disabled]), [tabindex='0']";
        let checks = 0;
        const settle = function () {
            const dialog = marker.isConnected && (marker.closest("[role=dialog], .mud-dialog") || marker.parentElement);
            if (!dialog) {
                return;
            }
            const active = document.activeElement;
            if (!active || !active.matches(controls)) {
                const first = dialog.querySelector(controls);
                if (first) {
                    first.focus();
                }
            }
            if (++checks < 10) {
                setTimeout(settle, 50);
            }
        };
        settle();
    },
    // Copies text for the one-time secret reveal. Falls back to a selection-based copy where the async
    // clipboard API is unavailable (plain http on a non-localhost host).
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

// The light/dark choice from the dashboard's theme toggle: kept a year in a cookie so the server renders the next
// page (dashboard or static account page) in it, and applied to <html data-theme> for this page's own CSS.
window.keysDashboard.setTheme = function (theme) {
    if (theme !== "light" && theme !== "dark") {
        return;
    }
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `kd_theme=${theme}; path=/; max-age=31536000; SameSite=Lax${secure}`;
    document.documentElement.setAttribute("data-theme", theme);
};

window.keysDashboard.getTheme = function () {
    const match = document.cookie.match(/(?:^|;\s*)kd_theme=([^;]*)/);
    return match ? match[1] : null;
};

// "Skip to content" moves focus itself: Blazor routes a bare #fragment link against <base href="/">, which would
// navigate to the home page instead of staying here.
document.addEventListener("click", function (event) {
    const link = event.target instanceof Element ? event.target.closest("a.skip-link") : null;
    const main = link ? document.getElementById("main-content") : null;
    if (main) {
        event.preventDefault();
        event.stopPropagation();
        main.focus();
        main.scrollIntoView();
    }
}, true);
