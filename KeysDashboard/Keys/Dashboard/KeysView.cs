using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace KeysDashboard.Keys.Dashboard;

/// <summary>
/// What the keys page shows, as it lives in the URL (<c>/keys?q=..&amp;status=..&amp;sort=..</c>), so a support
/// person can share a link to a filtered view. Defaults are left out of the URL, and a value that does not parse
/// is ignored rather than turned into an error page.
/// </summary>
public sealed record KeysView
{
    public const int DefaultPageSize = 25;
    public static readonly int[] PageSizes = [10, 25, 50, 100];
    public static readonly KeysView Default = new();

    public string? Search { get; init; }
    public KeyStatus? Status { get; init; }
    public bool? ReadOnly { get; init; }
    public int? ExpiringWithinDays { get; init; }
    public UnusedFilter? Unused { get; init; }
    public KeySort SortBy { get; init; } = KeySort.Created;
    public bool Descending { get; init; } = true;
    public int Page { get; init; }
    public int PageSize { get; init; } = DefaultPageSize;

    public bool HasFilters => Status is not null || ReadOnly is not null || ExpiringWithinDays is not null || Unused is not null;

    /// <summary>The same filters and sort with the paging reset: a changed question starts on its first page.</summary>
    public KeysView FirstPage() => this with { Page = 0 };

    internal KeyListQuery ToQuery() => new(Search, SortBy, Descending, Page, PageSize, Status, ReadOnly, ExpiringWithinDays, Unused);

    public static KeysView Parse(string? queryString)
    {
        var values = QueryHelpers.ParseQuery(queryString);
        string? One(string name) => values.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

        var view = new KeysView();
        if (One("q") is { Length: > 0 } q)
        {
            view = view with { Search = q };
        }
        if (StatusNames.FirstOrDefault(s => s.Value == One("status")) is { Value: not null } status)
        {
            view = view with { Status = status.Key };
        }
        view = One("access") switch
        {
            "read-only" => view with { ReadOnly = true },
            "read-write" => view with { ReadOnly = false },
            _ => view,
        };
        if (Days(One("expiring")) is { } expiring)
        {
            view = view with { ExpiringWithinDays = expiring };
        }
        if (One("unused") == "never")
        {
            view = view with { Unused = UnusedFilter.Never };
        }
        else if (Days(One("unused")) is { } unused)
        {
            view = view with { Unused = new UnusedFilter(unused) };
        }
        if (SortNames.FirstOrDefault(s => s.Value == One("sort")) is { Value: not null } sort)
        {
            view = view with { SortBy = sort.Key };
        }
        view = One("dir") switch
        {
            "asc" => view with { Descending = false },
            "desc" => view with { Descending = true },
            _ => view,
        };
        if (int.TryParse(One("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) && PageSizes.Contains(size))
        {
            view = view with { PageSize = size };
        }
        if (int.TryParse(One("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page <= 100_000)
        {
            view = view with { Page = page };
        }
        return view;
    }

    /// <summary>The page's address for this view, with only what differs from the defaults.</summary>
    public string ToUrl(string path = "keys")
    {
        var query = new List<KeyValuePair<string, string?>>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                query.Add(new(name, value));
            }
        }

        // A whole secret stays out of the address bar, history and shared links; it is searched by its hash only.
        Add("q", string.IsNullOrEmpty(Search) || KeySecret.IsWellFormed(KeySearch.Normalize(Search)) ? null : Search);
        Add("status", Status is { } status ? StatusNames[status] : null);
        Add("access", ReadOnly switch { true => "read-only", false => "read-write", null => null });
        Add("expiring", ExpiringWithinDays?.ToString(CultureInfo.InvariantCulture));
        Add("unused", Unused switch { null => null, { Days: null } => "never", { Days: { } d } => d.ToString(CultureInfo.InvariantCulture) });
        Add("sort", SortBy == Default.SortBy ? null : SortNames[SortBy]);
        Add("dir", Descending == Default.Descending ? null : Descending ? "desc" : "asc");
        Add("page", Page == 0 ? null : Page.ToString(CultureInfo.InvariantCulture));
        Add("size", PageSize == DefaultPageSize ? null : PageSize.ToString(CultureInfo.InvariantCulture));
        return QueryHelpers.AddQueryString(path, query);
    }

    public static readonly IReadOnlyDictionary<KeyStatus, string> StatusNames = new Dictionary<KeyStatus, string>
    {
        [KeyStatus.Enabled] = "enabled",
        [KeyStatus.Disabled] = "disabled",
        [KeyStatus.Expired] = "expired",
    };

    public static readonly IReadOnlyDictionary<KeySort, string> SortNames = new Dictionary<KeySort, string>
    {
        [KeySort.Name] = "name",
        [KeySort.Created] = "created",
        [KeySort.Expires] = "expires",
        [KeySort.LastUsed] = "last_used",
        [KeySort.Status] = "status",
    };

    private static int? Days(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is > 0 and <= KeySearch.MaxDays ? days : null;
}
