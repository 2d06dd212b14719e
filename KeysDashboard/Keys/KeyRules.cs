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
            _ => null,
        };
    }

    public static string? CheckExpiry(DateTime? expiresAt, DateTime now) =>
        expiresAt is { } expires && expires <= now ? "Expiry must be in the future." : null;

    public static string? CheckGracePeriod(TimeSpan grace) =>
        grace < TimeSpan.Zero || grace > MaxGracePeriod ? "Grace period must be between 0 seconds and 24 hours." : null;
}

/// <summary>Bad input to the key service, one message per field. Carries no secret.</summary>
internal sealed class KeyValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The key request is not valid: " + string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
