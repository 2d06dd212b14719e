namespace KeysDashboard.Components.Layout;

/// <summary>
/// The person's light/dark choice, kept in the <c>kd_theme</c> cookie so the static account pages and the first
/// (prerendered) paint of the dashboard follow it. Written by <c>keysDashboard.setTheme</c> in app.js; absent means
/// "follow the system".
/// </summary>
internal static class ThemeCookie
{
    public const string Name = "kd_theme";
    public const string Light = "light";
    public const string Dark = "dark";

    /// <summary>"light" or "dark"; anything else (absent, tampered, an old format) is no choice.</summary>
    public static string? Parse(string? value) => value switch
    {
        Light => Light,
        Dark => Dark,
        _ => null,
    };

    public static string? Read(HttpRequest request) => Parse(request.Cookies[Name]);
}
