using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Api;

/// <summary>
/// Counts failed authentications per client in a fixed one-minute window that starts at the client's first
/// failure; once a client runs out, every request from it gets 429 until the window ends, valid key or not, so
/// guessing keys does not scale. A client is an IPv4 address, or an IPv6 /64: one subscriber's allocation,
/// which an attacker can spread guesses across for free. 0 failures per minute turns the limit off.
/// </summary>
/// <remarks>
/// Counted here rather than with System.Threading.RateLimiting: its fixed window cannot say when the window
/// frees (a refused lease reports the whole window) and does not follow <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class FailedAuthenticationLimiter(IOptions<ApiOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Budget> budgets = new();
    private long nextPruneTicks;

    private sealed class Budget(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;
        public int Failures { get; set; }
    }

    /// <summary>True when this client has used up its failures; <paramref name="retryAfter"/> says when its window frees.</summary>
    public bool IsBlocked(IPAddress? client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var limit = options.Value.FailedAuthenticationsPerMinute;
        if (limit == 0 || !budgets.TryGetValue(Partition(client), out var budget))
        {
            return false;
        }
        var now = clock.GetUtcNow();
        lock (budget)
        {
            var ends = budget.Start + Window;
            if (now >= ends || budget.Failures < limit)
            {
                return false;
            }
            retryAfter = ends - now;
            return true;
        }
    }

    public void RecordFailure(IPAddress? client)
    {
        if (options.Value.FailedAuthenticationsPerMinute == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        PruneIfCrowded(now);
        var budget = budgets.GetOrAdd(Partition(client), _ => new Budget(now));
        lock (budget)
        {
            if (now >= budget.Start + Window)
            {
                budget.Start = now;
                budget.Failures = 0;
            }
            budget.Failures++;
        }
    }

    public static string Partition(IPAddress? client) => FixedWindows.ClientBlock(client);

    // Many addresses each failing once must not grow the table for ever; expired budgets go, at most once a
    // second. A failure racing with its expired budget's removal may be lost, and that budget was spent anyway.
    private void PruneIfCrowded(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref nextPruneTicks);
        if (budgets.Count <= PruneAbove || now.UtcTicks < due ||
            Interlocked.CompareExchange(ref nextPruneTicks, now.UtcTicks + TimeSpan.TicksPerSecond, due) != due)
        {
            return;
        }
        foreach (var (partition, budget) in budgets)
        {
            if (now >= budget.Start + Window)
            {
                budgets.TryRemove(partition, out _);
            }
        }
    }
}
