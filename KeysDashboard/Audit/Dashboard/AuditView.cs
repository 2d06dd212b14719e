using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace KeysDashboard.Audit.Dashboard;

/// <summary>
/// What the audit page shows, as it lives in the URL (<c>/audit?actor=..&amp;key=..&amp;from=yyyy-MM-dd&amp;page=..</c>),
/// so a link (a key's history from the keys grid, say) shows the same rows. A value that does not parse is
/// dropped rather than turned into an error page.
/// </summary>
public sealed record AuditView
{
    public const int PageSize = 25;
    public static readonly AuditView Default = new();

    public string? Actor { get; init; }
    public string? Key { get; init; }
    public string? Action { get; init; }
    public string? Outcome { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public int Page { get; init; }

    public bool HasFilters => Actor is not null || Key is not null || Action is not null || Outcome is not null || From is not null || To is not null;

    internal AuditQuery ToQuery() => AuditFilter.Parse(FilterValue, out _);

    public static AuditView Parse(string? queryString)
    {
        var values = QueryHelpers.ParseQuery(queryString);
        string? One(string name) => values.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[^1]) ? v[^1]!.Trim() : null;

        // The service's own parser decides what is valid; what it refuses is left out.
        AuditFilter.Parse(One, out var errors);
        string? Valid(string name) => errors.Any(e => e.Field == name) ? null : One(name);
        return new AuditView
        {
            Actor = Valid("actor"),
            Key = Valid("key"),
            Action = Valid("action"),
            Outcome = Valid("outcome"),
            From = Date(Valid("from")),
            To = Date(Valid("to")),
            Page = int.TryParse(One("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page <= 100_000 ? page : 0,
        };
    }

    /// <summary>The page's address for this view, with only what is set.</summary>
    public string ToUrl(string path = "audit") => QueryHelpers.AddQueryString(path, Parameters(withPage: true));

    /// <summary>The CSV of the same rows (every page).</summary>
    public string ExportUrl() => QueryHelpers.AddQueryString("audit/export.csv", Parameters(withPage: false));

    private string? FilterValue(string name) => name switch
    {
        "actor" => Actor,
        "key" => Key,
        "action" => Action,
        "outcome" => Outcome,
        "from" => From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "to" => To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => null,
    };

    private List<KeyValuePair<string, string?>> Parameters(bool withPage)
    {
        var query = AuditFilter.Names.Select(n => new KeyValuePair<string, string?>(n, FilterValue(n))).Where(p => p.Value is not null).ToList();
        if (withPage && Page > 0)
        {
            query.Add(new("page", Page.ToString(CultureInfo.InvariantCulture)));
        }
        return query;
    }

    private static DateOnly? Date(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}
