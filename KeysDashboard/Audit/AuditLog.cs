using System.Runtime.CompilerServices;
using System.Text.Json;
using KeysDashboard.Access;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Audit;

internal sealed record AuditRowsPage(IReadOnlyList<AuditEntry> Items, int TotalItems);

/// <summary>
/// The result of walking the chain. <see cref="BrokenSeq"/> is the first row that is missing or does not hold up,
/// and <see cref="Problem"/> says how; when intact, <see cref="HeadSeq"/> and <see cref="HeadHash"/> are the
/// newest sealed row, which anyone can note down to notice a later rewrite of the tail.
/// </summary>
internal sealed record AuditVerification(
    bool Intact,
    long Rows,
    long? FirstSeq,
    long? HeadSeq,
    string? HeadHash,
    long? BrokenSeq = null,
    string? Problem = null,
    long? TrimmedThroughSeq = null)
{
    public string Describe() => Intact
        ? Rows == 0
            ? "The audit log is empty."
            : $"The audit log is intact: {Rows} rows, seq {FirstSeq} to {HeadSeq}{(TrimmedThroughSeq is { } t ? $" (rows up to seq {t} were trimmed by retention, as recorded)" : "")}, head hash {HeadHash}."
        : $"The audit log is broken at seq {BrokenSeq}: {Problem}";
}

/// <summary>
/// Reading the audit log: the page's filtered pages, the API's keyset pages, the streamed CSV export and the chain
/// check. Nothing here edits or deletes a row (only <see cref="AuditRetention"/> trims, and records it). Every
/// operation demands <see cref="Permission.AuditRead"/> first.
/// </summary>
internal sealed class AuditLog(IDbContextFactory<ApplicationDbContext> dbFactory, AccessGuard guard, AuditChain chain, TimeProvider clock,
    ILogger<AuditLog> logger)
{
    private const int VerifyBatchSize = 1000;

    /// <summary>A page of rows matching <paramref name="query"/>, newest first, with the number of all matching rows.</summary>
    public async Task<AuditRowsPage> PageAsync(AuditQuery query, int page, int pageSize, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.AuditRead, cancellationToken: cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = Filtered(db.AuditEntries.AsNoTracking(), query);
        var total = await rows.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 100);
        var items = await rows.OrderByDescending(e => e.Id)
            .Skip((int)Math.Min((long)Math.Max(page, 0) * size, int.MaxValue))
            .Take(size)
            .ToListAsync(cancellationToken);
        return new AuditRowsPage(items, total);
    }

    /// <summary>
    /// The API's keyset paging: matching rows in the order they were written (id), after <paramref name="afterId"/>.
    /// Rows written meanwhile land after the last page, so a script can resume where it stopped.
    /// </summary>
    public async Task<(List<AuditEntry> Rows, bool HasMore)> PageAfterAsync(AuditQuery query, long? afterId, int limit, Actor actor,
        CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.AuditRead, cancellationToken: cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = Filtered(db.AuditEntries.AsNoTracking(), query);
        if (afterId is { } after)
        {
            rows = rows.Where(e => e.Id > after);
        }
        var page = await rows.OrderBy(e => e.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var hasMore = page.Count > limit;
        if (hasMore)
        {
            page.RemoveAt(limit);
        }
        return (page, hasMore);
    }

    /// <summary>
    /// Every matching row in the order written, read from the database as the caller consumes them: an export of
    /// 100 000 rows holds one row in memory at a time. The permission is demanded now, before anything is sent.
    /// </summary>
    public async Task<IAsyncEnumerable<AuditEntry>> ExportAsync(AuditQuery query, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.AuditRead, cancellationToken: cancellationToken);
        return Stream(query, cancellationToken);
    }

    private async IAsyncEnumerable<AuditEntry> Stream(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await foreach (var row in Filtered(db.AuditEntries.AsNoTracking(), query).OrderBy(e => e.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>
    /// Seals what is pending, then walks every sealed row in seq order and reports the first broken link: a row
    /// changed since it was sealed (hash), a missing row (seq gap, or a gap in the ids the rows were written with,
    /// which is how a deleted newest row re-sealed over shows), a row out of place (previous hash, id order), a
    /// missing start that no <c>audit.trimmed</c> row accounts for, or a tail cut back behind a head an earlier
    /// verification recorded. The result is itself recorded as an <c>audit.verified</c> row.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.AuditRead, cancellationToken: cancellationToken);
        await chain.SealAsync(cancellationToken);
        var result = await WalkAsync(cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.AuditVerified, clock.GetUtcNow().UtcDateTime,
                result.Intact ? AuditOutcomes.Success : AuditOutcomes.Failure,
                reason: result.Intact ? null : result.Describe(),
                details: new
                {
                    intact = result.Intact,
                    rows = result.Rows,
                    head_seq = result.HeadSeq,
                    head_hash = result.HeadHash,
                    broken_seq = result.BrokenSeq,
                    trimmed_through_seq = result.TrimmedThroughSeq,
                }));
            await db.SaveChangesAsync(CancellationToken.None);
        }
        if (!result.Intact)
        {
            logger.LogWarning("Audit chain broken at seq {Seq}: {Problem}", result.BrokenSeq, result.Problem);
        }
        // Sealed at once, so a command-line run that exits now leaves its own row chained too.
        await chain.SealAsync(CancellationToken.None);
        return result;
    }

    private async Task<AuditVerification> WalkAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var first = await db.AuditEntries.AsNoTracking().Where(e => e.Seq != null).OrderBy(e => e.Seq).FirstOrDefaultAsync(cancellationToken);
        if (first is null)
        {
            return new AuditVerification(true, 0, null, null, null);
        }

        AuditEntry? previous = null;
        long count = 0;
        long? trimmedThrough = null;
        if (first.Seq == 1)
        {
            if (first.PreviousHash != AuditHash.Genesis)
            {
                return Broken(1, "the first row does not start the chain (its previous hash is not the genesis value).");
            }
        }
        else
        {
            var trims = await TrimRecordsAsync(db, cancellationToken);
            var start = first.Seq!.Value;
            if (trims.FirstOrDefault(t => t.LastSeq == start - 1 && t.OwnSeq > start - 1) is { } trim)
            {
                if (trim.LastHash != first.PreviousHash)
                {
                    return Broken(start, $"the first remaining row does not link to the last trimmed row (seq {trim.LastSeq}) that the audit.trimmed row at seq {trim.OwnSeq} recorded.");
                }
                trimmedThrough = trim.LastSeq;
            }
            else
            {
                var recorded = trims.Where(t => t.LastSeq < start - 1 && t.OwnSeq > start - 1).Select(t => (long?)t.LastSeq).Max();
                var missingFrom = (recorded ?? 0) + 1;
                return Broken(missingFrom, missingFrom == start - 1
                    ? $"row {missingFrom} is missing, and no audit.trimmed row records trimming it."
                    : $"rows {missingFrom} to {start - 1} are missing, and no audit.trimmed row records trimming them.");
            }
        }

        var anchors = new List<(long VerifiedAt, long Seq, string Hash)>();
        var after = 0L;
        while (true)
        {
            var batch = await db.AuditEntries.AsNoTracking().Where(e => e.Seq != null && e.Seq > after).OrderBy(e => e.Seq)
                .Take(VerifyBatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }
            foreach (var row in batch)
            {
                var seq = row.Seq!.Value;
                if (previous is not null)
                {
                    var expected = previous.Seq!.Value + 1;
                    if (seq != expected)
                    {
                        return Broken(expected, seq == expected + 1
                            ? $"row {expected} is missing (seq {previous.Seq} is followed by {seq})."
                            : $"rows {expected} to {seq - 1} are missing (seq {previous.Seq} is followed by {seq}).");
                    }
                    if (row.PreviousHash != previous.Hash)
                    {
                        return Broken(seq, $"the row does not link to seq {previous.Seq} (its previous hash differs): a row was removed, inserted or moved here.");
                    }
                    if (row.Id <= previous.Id)
                    {
                        return Broken(seq, $"the row was written before seq {previous.Seq} (id {row.Id} after id {previous.Id}): the rows were reordered.");
                    }
                    if (row.Id > previous.Id + 1)
                    {
                        // Ids are never reused and a failed write takes none, so a hole means a deleted row, sealed over.
                        var between = await db.AuditEntries.CountAsync(e => e.Id > previous.Id && e.Id < row.Id, cancellationToken);
                        if (between < row.Id - previous.Id - 1)
                        {
                            return Broken(seq, $"a row written between seq {previous.Seq} and this one was deleted and the chain sealed again over the gap.");
                        }
                    }
                }
                if (AuditHash.Compute(row) != row.Hash)
                {
                    return Broken(seq, "the row was changed after it was sealed (its hash does not match its contents).");
                }
                if (row is { Action: AuditActions.AuditVerified, Outcome: AuditOutcomes.Success } && Anchor(row.Details) is { } anchor)
                {
                    anchors.Add((seq, anchor.Seq, anchor.Hash));
                }
                previous = row;
                count++;
            }
            after = batch[^1].Seq!.Value;
        }

        // An earlier verification saw the chain reach a head: that row must still be there, unchanged.
        foreach (var (verifiedAt, seq, hash) in anchors.Where(a => a.Seq >= first.Seq))
        {
            var stored = await db.AuditEntries.AsNoTracking().Where(e => e.Seq == seq).Select(e => e.Hash).FirstOrDefaultAsync(cancellationToken);
            if (stored != hash)
            {
                return Broken(seq, $"the verification recorded at seq {verifiedAt} saw a different row {seq}: the chain was rewritten from there.");
            }
        }
        return new AuditVerification(true, count, first.Seq, previous!.Seq, previous.Hash, TrimmedThroughSeq: trimmedThrough);

        AuditVerification Broken(long seq, string problem) =>
            new(false, count, first.Seq, previous?.Seq, previous?.Hash, seq, problem, trimmedThrough);
    }

    private sealed record TrimRecord(long OwnSeq, long LastSeq, string LastHash);

    private static async Task<List<TrimRecord>> TrimRecordsAsync(ApplicationDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.AuditTrimmed && e.Outcome == AuditOutcomes.Success && e.Seq != null)
            .Select(e => new { e.Seq, e.Details })
            .ToListAsync(cancellationToken);
        var records = new List<TrimRecord>();
        foreach (var row in rows)
        {
            if (AuditRetention.ReadTrim(row.Details) is { } trim)
            {
                records.Add(new TrimRecord(row.Seq!.Value, trim.LastSeq, trim.LastHash));
            }
        }
        return records;
    }

    private static (long Seq, string Hash)? Anchor(string? details)
    {
        try
        {
            using var json = JsonDocument.Parse(details ?? "");
            var root = json.RootElement;
            return root.TryGetProperty("head_seq", out var seq) && seq.ValueKind == JsonValueKind.Number
                && root.TryGetProperty("head_hash", out var hash) && hash.ValueKind == JsonValueKind.String
                ? (seq.GetInt64(), hash.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IQueryable<AuditEntry> Filtered(IQueryable<AuditEntry> rows, AuditQuery query)
    {
        if (query.Actor is { Length: > 0 } actor)
        {
            var pattern = Contains(actor);
            rows = rows.Where(e => e.ActorId == actor || EF.Functions.Like(e.ActorName, pattern, "\\"));
        }
        if (query.KeyId is { Length: > 0 } key)
        {
            rows = rows.Where(e => e.KeyId == key);
        }
        if (query.Action is { Length: > 0 } action)
        {
            // "key.*" (or "key.") is every key action.
            var prefix = action.TrimEnd('*');
            rows = prefix.EndsWith('.')
                ? rows.Where(e => e.Action.StartsWith(prefix))
                : rows.Where(e => e.Action == action);
        }
        if (query.Outcome is { Length: > 0 } outcome)
        {
            rows = rows.Where(e => e.Outcome == outcome);
        }
        if (query.From is { } from)
        {
            rows = rows.Where(e => e.At >= from);
        }
        if (query.Before is { } before)
        {
            rows = rows.Where(e => e.At < before);
        }
        return rows;
    }

    private static string Contains(string text) => "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
