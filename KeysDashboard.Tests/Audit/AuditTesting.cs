using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Audit;

/// <summary>Helpers over the real app: write audit rows through the key service, seal, verify, tamper with SQL.</summary>
internal static class AuditTesting
{
    public static async Task<List<string>> CreateKeysAsync(this AppFactory app, int count, string prefix = "key")
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var issued = await app.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft($"{prefix}-{i}", false, [], null), ApiFactory.Admin));
            ids.Add(issued.Key.Id);
        }
        return ids;
    }

    public static Task<int> SealAsync(this IServiceProvider services) => services.GetRequiredService<AuditChain>().SealAsync();

    public static async Task<AuditVerification> VerifyAsync(this IServiceProvider services, Actor? actor = null)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditLog>().VerifyAsync(actor ?? Actor.CommandLine);
    }

    public static async Task<List<AuditEntry>> RowsAsync(this AppFactory app) =>
        await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    /// <summary>Recomputes the chain from <paramref name="seq"/> on, as a forger who knows the hash function would.</summary>
    public static Task<int> RehashFromAsync(this AppFactory app, long seq) => app.WithDbAsync(async db =>
    {
        var rows = await db.AuditEntries.Where(e => e.Seq >= seq - 1).OrderBy(e => e.Seq).ToListAsync();
        for (var i = 1; i < rows.Count; i++)
        {
            rows[i].PreviousHash = rows[i - 1].Hash;
            rows[i].Hash = AuditHash.Compute(rows[i]);
        }
        return await db.SaveChangesAsync();
    });

    /// <summary>What someone with write access to the database file does: raw SQL, around the app.</summary>
    public static Task<int> SqlAsync(this AppFactory app, string sql) => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));
}
