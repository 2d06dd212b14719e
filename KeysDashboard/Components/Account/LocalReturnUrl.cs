namespace KeysDashboard.Components.Account;

/// <summary>
/// A return URL is followed only when it stays on this site; anything else (another host, `//host`, `/\host`,
/// `javascript:`) becomes the dashboard's home. Browsers read a backslash as a slash, so none is allowed.
/// </summary>
internal static class LocalReturnUrl
{
    /// <summary>
    /// The base-relative path to go to ("" for home): <paramref name="url"/> if it is a path on this site, an
    /// absolute URL under <paramref name="baseUri"/> made relative, and "" for anything else.
    /// </summary>
    public static string BaseRelativeOrHome(string? url, Uri baseUri)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Contains('\\') || url.Any(char.IsControl))
        {
            return "";
        }
        if (url.StartsWith('/'))
        {
            return url.StartsWith("//", StringComparison.Ordinal) || !Uri.IsWellFormedUriString(url, UriKind.Relative)
                ? ""
                : url.TrimStart('/');
        }
        var end = url.IndexOfAny(['/', '?', '#']);
        if ((end < 0 ? url : url[..end]).Contains(':', StringComparison.Ordinal))
        {
            // A scheme: only an absolute URL on this site is followed.
            return Uri.TryCreate(url, UriKind.Absolute, out var absolute)
                && absolute.AbsoluteUri.StartsWith(baseUri.AbsoluteUri, StringComparison.Ordinal)
                ? absolute.AbsoluteUri[baseUri.AbsoluteUri.Length..]
                : "";
        }
        return Uri.IsWellFormedUriString(url, UriKind.Relative) ? url : "";
    }
}
