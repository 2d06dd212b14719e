using System.Buffers;
using System.Globalization;
using System.Text;

namespace KeysDashboard.Keys;

/// <summary>The rules every key obeys, whichever door (dashboard, API, command line) a change came through.</summary>
internal static class KeyRules
{
    public const int NameMaxLength = 50;
    public static readonly TimeSpan MaxGracePeriod = TimeSpan.FromHours(24);

    public static string? CheckName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length switch
        {
            0 => "Name is required.",
            > NameMaxLength => $"Name must be at most {NameMaxLength} characters.",
            _ when FirstHiddenCharacter(trimmed) is { } hidden =>
                $"Name must not contain control or invisible formatting characters (found {hidden}).",
            _ => null,
        };
    }

    /// <summary>
    /// The first character that would let a name hide or disguise itself in a terminal, a log or a page: controls
    /// (NUL, BEL, ESC of ANSI sequences), invisible format characters such as bidi overrides (U+202E turns
    /// "exe.txt" around), line and paragraph separators, and lone surrogates. Joiners stay, for emoji and scripts.
    /// </summary>
    public static string? FirstHiddenCharacter(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var used) != OperationStatus.Done)
            {
                return $"U+{(int)rest[0]:X4}";
            }
            var hidden = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                UnicodeCategory.Format => rune.Value is not (0x200C or 0x200D),
                _ => false,
            };
            if (hidden)
            {
                return $"U+{rune.Value:X4}";
            }
            rest = rest[used..];
        }
        return null;
    }

    public static string? CheckExpiry(DateTime? expiresAt, DateTime now) =>
        expiresAt is { } expires && expires <= now ? "Expiry must be in the future." : null;

    /// <summary>
    /// Checks the parts of a key a request sets (null = not set), one list of messages per field, and returns the
    /// canonical allowlist. The key service enforces this; the API also calls it so that a client hears about
    /// every bad field of a request at once.
    /// </summary>
    public static Dictionary<string, string[]> Check(string? name, bool nameSet, IEnumerable<string>? ips, DateTime? expiresAt, DateTime now, out IReadOnlyList<string>? normalizedIps)
    {
        var errors = new Dictionary<string, string[]>();
        if (nameSet && CheckName(name) is { } nameError)
        {
            errors["name"] = [nameError];
        }
        if (CheckExpiry(expiresAt, now) is { } expiryError)
        {
            errors["expires_time"] = [expiryError];
        }
        normalizedIps = null;
        if (ips is not null)
        {
            normalizedIps = IpAllowlist.Normalize(ips, out var ipErrors);
            if (ipErrors.Count > 0)
            {
                errors["ips"] = [.. ipErrors];
            }
        }
        return errors;
    }

    public const int ReasonMaxLength = 500;

    /// <summary>A reason for the audit log: optional here, at most 500 characters, nothing hidden.</summary>
    public static string? CheckReason(string? reason) => reason?.Trim() switch
    {
        null or "" => null,
        { Length: > ReasonMaxLength } => $"Reason must be at most {ReasonMaxLength} characters.",
        var text when FirstHiddenCharacter(text) is { } hidden => $"Reason must not contain control or invisible formatting characters (found {hidden}).",
        _ => null,
    };

    /// <summary>Null when every scope is known (or none are given), else which are not.</summary>
    public static string? CheckScopes(IEnumerable<string>? scopes)
    {
        var unknown = scopes?.Where(s => !Access.AccessTable.IsScope(s)).ToList() ?? [];
        return unknown.Count == 0 ? null
            : $"Unknown scope{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the scopes are {string.Join(", ", Access.AccessTable.ScopeNames)}.";
    }

    public static string? CheckGracePeriod(TimeSpan grace) =>
        grace < TimeSpan.Zero || grace > MaxGracePeriod ? "Grace period must be between 0 seconds and 24 hours." : null;
}

/// <summary>Bad input to the key service, one message per field. Carries no secret.</summary>
internal sealed class KeyValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The key request is not valid: " + string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
