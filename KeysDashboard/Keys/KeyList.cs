using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Keys;

internal enum KeySort
{
    Created,
    Name,
    Expires,
    LastUsed,
    Status,
}

internal sealed record KeyListQuery(
    string? Search = null,
    KeySort SortBy = KeySort.Created,
    bool Descending = true,
    int Page = 0,
    int PageSize = 25);

internal sealed record KeyListPage(IReadOnlyList<ApiKey> Items, int TotalItems);

/// <summary>The dashboard's view of the keys: searched, sorted and paged in the database.</summary>
internal sealed class KeyList(IDbContextFactory<ApplicationDbContext> dbFactory)
{
    public async Task<KeyListPage> QueryAsync(KeyListQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = db.ApiKeys.AsNoTracking();

        var term = query.Search?.Trim();
        if (!string.IsNullOrEmpty(term))
        {
            keys = keys.Where(Matching(term));
        }

        var total = await keys.CountAsync(cancellationToken);
        var pageSize = Math.Clamp(query.PageSize, 1, 100);
        var items = await Sorted(keys, query.SortBy, query.Descending)
            .Skip(Math.Max(query.Page, 0) * pageSize)
            .Take(pageSize)
            .ToListAsync(cancellationToken);
        return new KeyListPage(items, total);
    }

    /// <summary>
    /// The API's keyset paging: keys in id order (ids are time-ordered), after <paramref name="afterId"/>. A key
    /// created or deleted between two requests cannot shift the page boundary, so nothing is skipped or repeated.
    /// </summary>
    public async Task<(List<ApiKey> Keys, bool HasMore)> PageAfterAsync(string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = db.ApiKeys.AsNoTracking();
        if (afterId is not null)
        {
            keys = keys.Where(k => string.Compare(k.Id, afterId) > 0);
        }
        var page = await keys.OrderBy(k => k.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(limit);
        }
        return (page, hasMore);
    }

    /// <summary>
    /// A search matches a name, the last four characters or the masked form (kd_...a1B2), an id, or, for
    /// support staff holding a leaked secret, the whole secret itself (matched by its hash, old secrets in a
    /// grace period included).
    /// </summary>
    private static System.Linq.Expressions.Expression<Func<ApiKey, bool>> Matching(string term)
    {
        if (KeySecret.IsWellFormed(term))
        {
            var hash = KeySecret.Hash(term);
            return k => k.KeyHash == hash || k.PreviousKeyHash == hash;
        }
        if (Guid.TryParse(term, out var guid))
        {
            var id = guid.ToString("N");
            return k => k.Id == id;
        }

        var lastFour = term.Contains("...", StringComparison.Ordinal) ? term[(term.LastIndexOf("...", StringComparison.Ordinal) + 3)..] : term;
        var pattern = "%" + term.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        return k => EF.Functions.Like(k.Name, pattern, "\\") || k.LastFour == lastFour || EF.Functions.Like(k.CreatedByName, pattern, "\\");
    }

    private static IQueryable<ApiKey> Sorted(IQueryable<ApiKey> keys, KeySort sortBy, bool descending) => (sortBy, descending) switch
    {
        // People expect "alpha" before "Zeta"; the database's binary collation would put capitals first.
        (KeySort.Name, false) => keys.OrderBy(k => k.Name.ToLower()).ThenBy(k => k.Id),
        (KeySort.Name, true) => keys.OrderByDescending(k => k.Name.ToLower()).ThenByDescending(k => k.Id),
        (KeySort.Expires, false) => keys.OrderBy(k => k.ExpiresAt == null).ThenBy(k => k.ExpiresAt).ThenBy(k => k.Id),
        (KeySort.Expires, true) => keys.OrderBy(k => k.ExpiresAt == null).ThenByDescending(k => k.ExpiresAt).ThenByDescending(k => k.Id),
        (KeySort.LastUsed, false) => keys.OrderBy(k => k.LastUsedAt == null).ThenBy(k => k.LastUsedAt).ThenBy(k => k.Id),
        (KeySort.LastUsed, true) => keys.OrderBy(k => k.LastUsedAt == null).ThenByDescending(k => k.LastUsedAt).ThenByDescending(k => k.Id),
        (KeySort.Status, false) => keys.OrderByDescending(k => k.Enabled).ThenBy(k => k.Id),
        (KeySort.Status, true) => keys.OrderBy(k => k.Enabled).ThenByDescending(k => k.Id),
        (_, false) => keys.OrderBy(k => k.Id),
        _ => keys.OrderByDescending(k => k.Id),
    };
}
