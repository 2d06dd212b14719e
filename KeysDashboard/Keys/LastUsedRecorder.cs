using System.Collections.Concurrent;
using System.Net;
using KeysDashboard.Api;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Keys;

/// <summary>
/// Remembers each key's latest use in memory; <see cref="LastUsedFlusher"/> writes them out every couple of
/// seconds in one transaction. An authenticated request therefore never waits for a database write, and a burst
/// of requests with one key costs one UPDATE.
/// </summary>
internal sealed class LastUsedRecorder
{
    private ConcurrentDictionary<string, (DateTime At, string? Ip)> pending = new();

    public void Record(string keyId, DateTime at, IPAddress? client)
    {
        var ip = client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4().ToString() : client?.ToString();
        pending.AddOrUpdate(keyId, (at, ip), (_, existing) => existing.At > at ? existing : (at, ip));
    }

    public IReadOnlyDictionary<string, (DateTime At, string? Ip)> TakeAll() =>
        Interlocked.Exchange(ref pending, new ConcurrentDictionary<string, (DateTime At, string? Ip)>());
}

internal sealed class LastUsedFlusher(
    LastUsedRecorder recorder,
    IDbContextFactory<ApplicationDbContext> dbFactory,
    IOptions<ApiOptions> options,
    ILogger<LastUsedFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.LastUsedFlushSeconds)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var uses = recorder.TakeAll();
        if (uses.Count == 0)
        {
            return;
        }
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var (keyId, (at, ip)) in uses)
            {
                // A deleted key simply matches no row.
                await db.ApiKeys.Where(k => k.Id == keyId && (k.LastUsedAt == null || k.LastUsedAt < at))
                    .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, at).SetProperty(k => k.LastUsedIp, ip), cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Last-used times are informational; losing one batch must not take the service down.
            logger.LogWarning(e, "Could not record last-used times for {Count} keys", uses.Count);
        }
    }
}
