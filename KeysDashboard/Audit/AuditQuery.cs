using System.Globalization;

namespace KeysDashboard.Audit;

/// <summary>
/// Which audit rows to show: every filter is optional and they all apply together. <see cref="From"/> is
/// inclusive and <see cref="Before"/> exclusive, both UTC, so a day's filter is [that day, the next day).
/// </summary>
internal sealed record AuditQuery(
    string? Actor = null,
    string? KeyId = null,
    string? Action = null,
    string? Outcome = null,
    DateTime? From = null,
    DateTime? Before = null)
{
    public static readonly AuditQuery All = new();
}

/// <summary>
/// Reads the filters shared by the page, the CSV export and GET /api/v2/audit: actor, key, action, outcome, from,
/// to. Dates are yyyy-MM-dd (a whole UTC day; "to" includes its day) or ISO 8601 times with Z or an offset.
/// </summary>
internal static class AuditFilter
{
    public static readonly string[] Names = ["actor", "key", "action", "outcome", "from", "to"];

    public static readonly string[] Outcomes = [AuditOutcomes.Success, AuditOutcomes.Refused, AuditOutcomes.Failure];

    /// <summary>Every action the app records, for the page's action filter.</summary>
    public static readonly IReadOnlyList<string> Actions = [.. typeof(AuditActions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)];

    private const int MaxTextLength = 256;

    /// <summary>
    /// The query <paramref name="value"/> describes, with one (field, message) per value that does not parse. A
    /// value that is empty or whitespace is no filter.
    /// </summary>
    public static AuditQuery Parse(Func<string, string?> value, out List<(string Field, string Message)> errors)
    {
        errors = [];
        var query = AuditQuery.All;
        if (Text(value("actor"), "actor", errors) is { } actor)
        {
            query = query with { Actor = actor };
        }
        if (Text(value("key"), "key", errors) is { } key)
        {
            query = query with { KeyId = key };
        }
        if (Text(value("action"), "action", errors) is { } action)
        {
            query = query with { Action = action };
        }
        if (Text(value("outcome"), "outcome", errors) is { } outcome)
        {
            if (Outcomes.Contains(outcome, StringComparer.Ordinal))
            {
                query = query with { Outcome = outcome };
            }
            else
            {
                errors.Add(("outcome", $"outcome must be one of {string.Join(", ", Outcomes)}."));
            }
        }
        if (Text(value("from"), "from", errors) is { } fromText)
        {
            if (TryParseTime(fromText, endOfDay: false, out var from))
            {
                query = query with { From = from };
            }
            else
            {
                errors.Add(("from", "from must be a date (2026-01-31) or an ISO 8601 time with Z or an offset (2026-01-31T09:30:00Z)."));
            }
        }
        if (Text(value("to"), "to", errors) is { } toText)
        {
            if (TryParseTime(toText, endOfDay: true, out var before))
            {
                query = query with { Before = before };
            }
            else
            {
                errors.Add(("to", "to must be a date (2026-01-31, that whole day included) or an ISO 8601 time with Z or an offset."));
            }
        }
        if (query is { From: { } f, Before: { } b } && f >= b)
        {
            errors.Add(("to", "to must not be before from."));
        }
        return query;
    }

    /// <summary>
    /// A date means its whole UTC day: from its start, or (for "to") up to the start of the next. A time is taken
    /// as given, "to" including that instant.
    /// </summary>
    public static bool TryParseTime(string text, bool endOfDay, out DateTime utc)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            utc = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            if (endOfDay)
            {
                if (date == DateOnly.MaxValue)
                {
                    utc = DateTime.MaxValue;
                    return true;
                }
                utc = utc.AddDays(1);
            }
            return true;
        }
        // An offset or Z is required: a bare time would silently mean the server's zone.
        if (text.Length > 10 && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            utc = time.UtcDateTime;
            if (endOfDay && utc < DateTime.MaxValue)
            {
                utc = utc.AddTicks(1);
            }
            return true;
        }
        utc = default;
        return false;
    }

    private static string? Text(string? raw, string field, List<(string, string)> errors)
    {
        var text = raw?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.Length > MaxTextLength)
        {
            errors.Add((field, $"{field} is at most {MaxTextLength} characters."));
            return null;
        }
        return text;
    }
}
