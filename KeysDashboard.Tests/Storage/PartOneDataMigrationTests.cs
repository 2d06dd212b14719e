using System.Net;
using System.Net.Http.Json;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace KeysDashboard.Tests.Storage;

/// <summary>
/// A database written by the previous version (before scopes and the audit chain) is upgraded at start: its keys
/// keep exactly what they could do, and its audit rows are numbered and chained in the order they were written.
/// </summary>
public sealed class PartOneDataMigrationTests
{
    private const string LastMigrationOfPartOne = "20261123104100_KeyVersionsAndSecretlessIdempotency";

    [Fact]
    public async Task Part_one_keys_keep_working_with_the_rights_they_had_and_old_audit_rows_join_the_chain()
    {
        var readWrite = KeySecret.Generate("kd_");
        var readOnly = KeySecret.Generate("kd_");
        await using var app = new ApiFactory();
        Directory.CreateDirectory(app.App.DataDirectory);
        await WritePartOneDatabaseAsync(app.App.DatabasePath, readWrite, readOnly);

        using var writer = app.Client(readWrite);
        using var reader = app.Client(readOnly);
        var cancel = TestContext.Current.CancellationToken;

        // The read/write key still manages keys, as Vidbeo's permissions []...
        using var created = await writer.PostAsJsonAsync("/api/v2/keys", new { name = "Made after the upgrade" }, cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancel);
        Assert.Equal(["write", "verify", "keys:manage"], body.GetProperty("result").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(0, body.GetProperty("result").GetProperty("permissions").GetArrayLength());

        // ...and the read-only one still reads and verifies, and is still refused writes as read-only.
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v2/keys", cancel)).StatusCode);
        using var verified = await reader.PostAsJsonAsync("/api/v2/verify", new { key = readWrite }, cancel);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        using var refused = await reader.PostAsJsonAsync("/api/v2/keys", new { name = "Nope" }, cancel);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("read_only_key", await refused.Content.ReadAsStringAsync(cancel));
        using var me = await reader.GetAsync("/api/v2/me", cancel);
        var meBody = await me.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancel);
        Assert.Equal(["fetch"], meBody.GetProperty("result").GetProperty("permissions").EnumerateArray().Select(s => s.GetString()));

        await app.App.WithServiceAsync<int, AuditChain>(chain => chain.SealAsync(cancel));
        var rows = await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Seq).ToListAsync(cancel));
        Assert.Equal(Enumerable.Range(1, rows.Count).Select(i => (long?)i), rows.Select(r => r.Seq));
        Assert.Equal(["owner.created", "key.created", "key.created"], rows.Take(3).Select(r => r.Action));
        Assert.Equal(["person", "cli", "key"], rows.Take(3).Select(r => r.ActorKind));
        var previous = AuditHash.Genesis;
        foreach (var row in rows)
        {
            Assert.Equal(previous, row.PreviousHash);
            Assert.Equal(AuditHash.Compute(row), row.Hash);
            previous = row.Hash!;
        }
    }

    /// <summary>The schema and rows the previous version wrote: migrated only as far as its last migration.</summary>
    private static async Task WritePartOneDatabaseAsync(string path, string readWrite, string readOnly)
    {
        var options = new DbContextOptionsBuilder<ApplicationDbContext>().UseSqlite($"Data Source={path}").Options;
        await using (var db = new ApplicationDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(LastMigrationOfPartOne);
            var now = "2026-11-20 10:00:00";
            // Values made here, not input: the raw SQL of the old version's own schema.
            var partOneRows = $$"""
                INSERT INTO ApiKeys (Id, Version, Name, ReadOnly, Ips, Enabled, KeyHash, Prefix, LastFour, CreatedBy, CreatedByName, CreatedAt, UpdatedBy, UpdatedByName, UpdatedAt)
                VALUES ('0190aaaa000070008000000000000001', 1, 'Deploys', 0, '[]', 1, '{{KeySecret.Hash(readWrite)}}', 'kd_', '{{readWrite[^4..]}}', 'cli', 'command line', '{{now}}', 'cli', 'command line', '{{now}}'),
                       ('0190aaaa000070008000000000000002', 1, 'Reports', 1, '[]', 1, '{{KeySecret.Hash(readOnly)}}', 'kd_', '{{readOnly[^4..]}}', 'cli', 'command line', '{{now}}', 'cli', 'command line', '{{now}}');
                INSERT INTO AuditEntries (At, ActorId, ActorName, Action, KeyId, KeyName, ClientIp, Details) VALUES
                    ('{{now}}', 'user-1', 'owner@example.com', 'owner.created', NULL, NULL, '127.0.0.1', NULL),
                    ('{{now}}', 'cli', 'command line', 'key.created', '0190aaaa000070008000000000000001', 'Deploys', NULL, '"read/write"'),
                    ('{{now}}', '0190aaaa000070008000000000000001', 'API key Deploys (kd_...abcd)', 'key.created', '0190aaaa000070008000000000000002', 'Reports', '127.0.0.1', '"read-only"');
                """;
            await db.Database.ExecuteSqlRawAsync(partOneRows);
        }
        SqliteConnection.ClearAllPools();
    }
}
