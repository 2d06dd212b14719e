using KeysDashboard.Access;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Keys;

public enum KeySort
{
    Created,
    Name,
    Expires,
    LastUsed,
    Status,
}

/// <summary>Which keys by their use: never used, or not used in the last N days.</summary>
public sealed record UnusedFilter(int? Days)
{
    public static readonly UnusedFilter Never = new((int?)null);
}

internal sealed record KeyListQuery(
    string? Search = null,
    KeySort SortBy = KeySort.Created,
    bool Descending = true,
    int Page = 0,
    int PageSize = 25,
    KeyStatus? Status = null,
    bool? ReadOnly = null,
    int? ExpiringWithinDays = null,
    UnusedFilter? Unused = null);

internal sealed record KeyListPage(IReadOnlyList<ApiKey> Items, int TotalItems);

/// <summary>The dashboard's view of the keys: searched, sorted and paged in the database.</summary>
internal sealed class KeyList(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock, AccessGuard guard)
{
    public async Task<KeyListPage> QueryAsync(KeyListQuery query, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.KeysView, cancellationToken: cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = Filtered(db.ApiKeys.AsNoTracking(), query, clock.GetUtcNow().UtcDateTime);

        var term = KeySearch.Normalize(query.Search);
        if (term.Length > 0)
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
    public async Task<(List<ApiKey> Keys, bool HasMore)> PageAfterAsync(string? afterId, int limit, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.KeysView, cancellationToken: cancellationToken);
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

    private static IQueryable<ApiKey> Filtered(IQueryable<ApiKey> keys, KeyListQuery query, DateTime now)
    {
        keys = query.Status switch
        {
            KeyStatus.Enabled => keys.Where(k => k.Enabled && (k.ExpiresAt == null || k.ExpiresAt > now)),
            KeyStatus.Disabled => keys.Where(k => !k.Enabled),
            KeyStatus.Expired => keys.Where(k => k.Enabled && k.ExpiresAt <= now),
            _ => keys,
        };
        if (query.ReadOnly is { } readOnly)
        {
            keys = keys.Where(k => k.ReadOnly == readOnly);
        }
        if (query.ExpiringWithinDays is { } days)
        {
            // Keys that still work today and stop within the window: the ones someone has to act on.
            var until = now.AddDays(Math.Clamp(days, 0, KeySearch.MaxDays));
            keys = keys.Where(k => k.Enabled && k.ExpiresAt > now && k.ExpiresAt <= until);
        }
        if (query.Unused is { Days: null })
        {
            keys = keys.Where(k => k.LastUsedAt == null);
        }
        else if (query.Unused is { Days: { } unusedDays })
        {
            // A key made a year ago and never used is as unused as one last used a year ago; a key made today is not.
            var since = now.AddDays(-Math.Clamp(unusedDays, 0, KeySearch.MaxDays));
            keys = keys.Where(k => k.LastUsedAt == null ? k.CreatedAt <= since : k.LastUsedAt <= since);
        }
        return keys;
    }

    private static IQueryable<ApiKey> Sorted(IQueryable<ApiKey> keys, KeySort sortBy, bool descending) => (sortBy, descending) switch
    {
        // People expect "alpha" before "Zeta"; the database's binary collation would put capitals first.
        (KeySort.Name, false) => keys.OrderBy(k => k.Name.ToLower()).ThenBy(k => k.Id),
        (KeySort.Name, true) => keys.OrderByDescending(k => k.Name.ToLower()).ThenByDescending(k => k.Id),
        (KeySort.Expires, false) => keys.OrderBy(k => k.ExpiresAt == null).ThenBy(k => k.ExpiresAt).ThenBy(k => k.Id),
        (KeySort.Expires, true) => keys.OrderBy(k => k.ExpiresAt == null).ThenByDescending(k => k.ExpiresAt).ThenByDescending(k => k.Id),
        // A never-used key is the least recently used of all: first when ascending, last when descending.
        (KeySort.LastUsed, false) => keys.OrderBy(k => k.LastUsedAt != null).ThenBy(k => k.LastUsedAt).ThenBy(k => k.Id),
        (KeySort.LastUsed, true) => keys.OrderBy(k => k.LastUsedAt == null).ThenByDescending(k => k.LastUsedAt).ThenByDescending(k => k.Id),
        (KeySort.Status, false) => keys.OrderByDescending(k => k.Enabled).ThenBy(k => k.Id),
        (KeySort.Status, true) => keys.OrderBy(k => k.Enabled).ThenByDescending(k => k.Id),
        (_, false) => keys.OrderBy(k => k.Id),
        _ => keys.OrderByDescending(k => k.Id),
    };
}

/// <summary>What a person types or pastes into the search box, reduced to what to look for.</summary>
internal static class KeySearch
{
    /// <summary>The longest window a day filter accepts: ten years.</summary>
    public const int MaxDays = 3650;

    // Far longer than any name, id or secret; a pasted log file is cut here rather than searched.
    private const int MaxLength = 512;

    private static readonly string[] HeaderNames = ["Authorization:", "X-API-Key:", "Bearer "];

    /// <summary>
    /// Strips what people paste around a key, in any order and nesting: a header name (<c>Authorization:</c>,
    /// <c>X-API-Key:</c>), the <c>Bearer</c> scheme, surrounding quotes or backticks, whitespace and control
    /// characters, and a trailing comma or semicolon from a JSON or header line. Never throws.
    /// </summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var term = text.Length > MaxLength ? text[..MaxLength] : text;
        while (true)
        {
            var before = term;
            term = term.Trim().Trim(ControlCharacters).TrimEnd(',', ';');
            foreach (var header in HeaderNames)
            {
                if (term.StartsWith(header, StringComparison.OrdinalIgnoreCase))
                {
                    term = term[header.Length..];
                }
            }
            if (term.Length > 0 && IsQuote(term[0]))
            {
                term = term[1..];
            }
            if (term.Length > 0 && IsQuote(term[^1]))
            {
                term = term[..^1];
            }
            if (term == before)
            {
                return term;
            }
        }
    }

    private static bool IsQuote(char c) => c is '"' or '\'' or '`' or '\u201C' or '\u201D' or '\u2018' or '\u2019';

    private static readonly char[] ControlCharacters = [.. Enumerable.Range(0, 32).Select(i => (char)i), '\u007F', '\u200B', '\uFEFF'];
}
