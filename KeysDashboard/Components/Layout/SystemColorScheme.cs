namespace KeysDashboard.Components.Layout;

/// <summary>
/// The Sec-CH-Prefers-Color-Scheme client hint: Chromium sends the system's light/dark setting with the request once
/// the server has asked for it (Accept-CH on an earlier response: the sign-in page always comes first). With it the
/// prerendered dashboard already has the right theme when no choice is stored; other browsers switch once the circuit
/// starts. No Critical-CH: that makes Chromium send a request twice, form posts included.
/// </summary>
internal static class SystemColorScheme
{
    public const string HintHeader = "Sec-CH-Prefers-Color-Scheme";

    public static bool? PrefersDark(HttpRequest request) =>
        request.Headers[HintHeader].ToString().Trim('"') switch
        {
            "dark" => true,
            "light" => false,
            _ => null,
        };

    /// <summary>Asks browsers that support it to send the hint with page requests.</summary>
    public static void RequestHint(HttpResponse response)
    {
        response.Headers["Accept-CH"] = HintHeader;
        if (!response.Headers.Vary.Contains(HintHeader))
        {
            response.Headers.Append("Vary", HintHeader);
        }
    }
}
