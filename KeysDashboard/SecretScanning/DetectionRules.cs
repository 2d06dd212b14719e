using System.Text;
using System.Text.RegularExpressions;
using KeysDashboard.Keys;

namespace KeysDashboard.SecretScanning;

/// <summary>
/// Rules that let scanners (GitHub's partner program, gitleaks, a grep in CI) recognise this instance's secrets:
/// the configured prefix, 30 random base62 characters and a 6-character base62 checksum, as <see cref="KeySecret"/>
/// makes them. Word boundaries keep a longer run of base62 from matching in part.
/// </summary>
internal static class DetectionRules
{
    public static string Regex(string prefix)
    {
        KeySecret.ValidatePrefix(prefix);
        // A prefix ending in '_' or '-' has no word boundary after it, so the boundary goes before the prefix only
        // when it starts with a word character, and after the checksum always.
        var start = char.IsAsciiLetterOrDigit(prefix[0]) || prefix[0] == '_' ? @"\b" : @"(?:^|[^A-Za-z0-9_-])";
        return $@"{start}{System.Text.RegularExpressions.Regex.Escape(prefix)}[0-9A-Za-z]{{{KeySecret.RandomLength}}}[0-9A-Za-z]{{{KeySecret.ChecksumLength}}}\b";
    }

    /// <summary>A gitleaks configuration with one rule; the keyword makes gitleaks skip files without the prefix.</summary>
    public static string Gitleaks(string prefix)
    {
        var regex = Regex(prefix);
        var id = "keysdashboard-api-key-" + new string([.. prefix.Where(char.IsAsciiLetterOrDigit)]).ToLowerInvariant();
        var toml = new StringBuilder()
            .AppendLine("# gitleaks rules for KeysDashboard API keys of this instance.")
            .AppendLine("# Use: gitleaks detect --config gitleaks.toml (or [extend] it from your own config).")
            .AppendLine()
            .AppendLine("title = \"KeysDashboard API keys\"")
            .AppendLine()
            .AppendLine("[[rules]]")
            .AppendLine($"id = \"{id.TrimEnd('-')}\"")
            .AppendLine($"description = \"KeysDashboard API key (prefix {prefix})\"")
            // A TOML literal string ('...') takes the regex as written: no escapes to double.
            .AppendLine($"regex = '''{regex}'''")
            .AppendLine($"keywords = [\"{prefix.ToLowerInvariant()}\"]")
            .AppendLine("tags = [\"api-key\", \"keysdashboard\"]");
        return toml.ToString();
    }
}
