// Copies text for the one-time secret reveal. Falls back to a selection-based copy where the async
// clipboard API is unavailable (plain http on a non-localhost host).
window.keysDashboard = {
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
