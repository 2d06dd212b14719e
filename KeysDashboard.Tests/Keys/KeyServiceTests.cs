using KeysDashboard.Access;
using System.Net;
using System.Text;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeysDashboard.Tests.Keys;

/// <summary>Every key action through the one service, against the real app's SQLite database.</summary>
public sealed class KeyServiceTests : IAsyncLifetime
{
    private static readonly Actor Admin = Actor.Person("user-1", "owner@example.com", AccessTable.AdminRole, "192.0.2.10");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly AppFactory app = new();
    private KeyService keys = default!;
    private AsyncServiceScope scope;

    public ValueTask InitializeAsync()
    {
        var withClock = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        scope = withClock.Services.CreateAsyncScope();
        keys = scope.ServiceProvider.GetRequiredService<KeyService>();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await app.DisposeAsync();
    }

    private Task<T> Db<T>(Func<KeysDashboard.Data.ApplicationDbContext, Task<T>> query) =>
        query(scope.ServiceProvider.GetRequiredService<KeysDashboard.Data.ApplicationDbContext>());

    [Fact]
    public async Task Create_returns_the_secret_once_and_stores_only_its_hash()
    {
        var issued = await keys.CreateAsync(new KeyDraft("  CI deploys ", true, ["10.0.0.0/8", "2001:db8::1"], null), Admin);

        Assert.StartsWith("kd_", issued.Secret);
        Assert.True(KeySecret.IsWellFormed(issued.Secret));
        var stored = await Db(db => db.ApiKeys.AsNoTracking().SingleAsync());
        Assert.Equal("CI deploys", stored.Name);
        Assert.True(stored.ReadOnly);
        Assert.Equal(["10.0.0.0/8", "2001:db8::1"], stored.Ips);
        Assert.Equal(KeySecret.Hash(issued.Secret), stored.KeyHash);
        Assert.Equal($"kd_...{issued.Secret[^4..]}", stored.Masked);
        Assert.Equal(("user-1", "owner@example.com"), (stored.CreatedBy, stored.CreatedByName));
        Assert.Equal(clock.GetUtcNow().UtcDateTime, stored.CreatedAt);
    }

    [Fact]
    public async Task No_secret_is_anywhere_in_the_database_files_after_create_and_regenerate()
    {
        var created = await keys.CreateAsync(new KeyDraft("Leak check", false, [], null), Admin);
        var regenerated = await keys.RegenerateAsync(created.Key.Id, TimeSpan.FromHours(1), Admin);
        var files = Directory.GetFiles(app.DataDirectory, "keysdashboard.db*");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
            foreach (var secret in new[] { created.Secret, regenerated!.Secret })
            {
                Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
                // The random part alone must not be there either (say, stored without its prefix).
                Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret[3..^6])));
            }
        }
    }

    [Fact]
    public async Task Invalid_drafts_are_refused_with_one_message_per_field_and_nothing_saved()
    {
        var invalid = await Assert.ThrowsAsync<KeyValidationException>(() =>
            keys.CreateAsync(new KeyDraft(new string('x', 51), false, ["10.0.0.1/8", "not-an-ip"], clock.GetUtcNow().UtcDateTime.AddDays(-1)), Admin));

        Assert.Equal(["expires_time", "ips", "name"], invalid.Errors.Keys.Order());
        Assert.Contains(invalid.Errors["ips"], m => m.Contains("'10.0.0.1/8'") && m.Contains("10.0.0.0/8"));
        Assert.Contains(invalid.Errors["ips"], m => m.Contains("'not-an-ip'"));
        Assert.Equal(0, await Db(db => db.ApiKeys.CountAsync()));
    }

    [Fact]
    public async Task Verify_accepts_the_secret_from_an_allowed_address_and_says_why_it_refuses()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Office only", false, ["203.0.113.0/24"], null), Admin);

        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(issued.Secret, IPAddress.Parse("203.0.113.9"))).Code);
        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(issued.Secret, IPAddress.Parse("::ffff:203.0.113.9"))).Code);
        Assert.Equal(KeyVerificationCode.IpNotAllowed, (await keys.VerifyAsync(issued.Secret, IPAddress.Parse("198.51.100.1"))).Code);
        Assert.Equal(KeyVerificationCode.Malformed, (await keys.VerifyAsync(issued.Secret[..^1] + "x", IPAddress.Loopback)).Code);
        Assert.Equal(KeyVerificationCode.NotFound, (await keys.VerifyAsync(KeySecret.Generate("kd_"), IPAddress.Loopback)).Code);
    }

    [Fact]
    public async Task Disable_enable_and_edit_change_the_key_and_record_who()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Billing", false, [], null), Admin);
        var editor = Admin with { Id = "user-2", Name = "support@example.com" };
        clock.Advance(TimeSpan.FromMinutes(5));

        await keys.SetEnabledAsync(issued.Key.Id, false, editor);
        Assert.Equal(KeyVerificationCode.Disabled, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
        await keys.SetEnabledAsync(issued.Key.Id, true, editor);
        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);

        var expires = clock.GetUtcNow().UtcDateTime.AddDays(30);
        var edited = await keys.UpdateAsync(issued.Key.Id, new KeyChanges(Name: "Billing v2", ReadOnly: true, Ips: ["192.0.2.1"], ExpiresAt: expires), editor);

        Assert.NotNull(edited);
        Assert.Equal(("Billing v2", true, expires), (edited.Name, edited.ReadOnly, edited.ExpiresAt));
        Assert.Equal(["192.0.2.1"], edited.Ips);
        Assert.Equal(("user-2", "support@example.com"), (edited.UpdatedBy, edited.UpdatedByName));
        Assert.Equal(clock.GetUtcNow().UtcDateTime, edited.UpdatedAt);
        Assert.Equal("user-1", edited.CreatedBy);
    }

    [Fact]
    public async Task An_expired_key_is_refused_as_expired()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Short lived", false, [], clock.GetUtcNow().UtcDateTime.AddHours(1)), Admin);

        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(KeyVerificationCode.Expired, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
    }

    [Fact]
    public async Task Regenerate_without_grace_stops_the_old_secret_at_once()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Rotate me", false, [], null), Admin);

        var rotated = await keys.RegenerateAsync(issued.Key.Id, TimeSpan.Zero, Admin);

        Assert.NotNull(rotated);
        Assert.NotEqual(issued.Secret, rotated.Secret);
        Assert.Equal(KeyVerificationCode.NotFound, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(rotated.Secret, IPAddress.Loopback)).Code);
    }

    [Fact]
    public async Task Regenerate_with_grace_keeps_the_old_secret_working_until_the_grace_ends()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Rotate gently", false, [], null), Admin);

        var rotated = await keys.RegenerateAsync(issued.Key.Id, TimeSpan.FromHours(1), Admin);

        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddHours(1), rotated!.Key.PreviousKeyExpiresAt);
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(KeyVerificationCode.NotFound, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(rotated.Secret, IPAddress.Loopback)).Code);
    }

    [Fact]
    public async Task A_grace_period_longer_than_a_day_is_refused()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Too gentle", false, [], null), Admin);

        await Assert.ThrowsAsync<KeyValidationException>(() => keys.RegenerateAsync(issued.Key.Id, TimeSpan.FromHours(25), Admin));

        Assert.Equal(KeyVerificationCode.Valid, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
    }

    [Fact]
    public async Task Delete_removes_the_key_and_its_secret_stops_working()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Doomed", false, [], null), Admin);

        Assert.True(await keys.DeleteAsync(issued.Key.Id, Admin));

        Assert.False(await keys.DeleteAsync(issued.Key.Id, Admin));
        Assert.Null(await keys.FindAsync(issued.Key.Id, Admin));
        Assert.Equal(KeyVerificationCode.NotFound, (await keys.VerifyAsync(issued.Secret, IPAddress.Loopback)).Code);
    }

    [Fact]
    public async Task Every_action_writes_an_audit_row_without_the_secret()
    {
        var issued = await keys.CreateAsync(new KeyDraft("Audited", false, [], null), Admin);
        await keys.SetEnabledAsync(issued.Key.Id, false, Admin);
        await keys.SetEnabledAsync(issued.Key.Id, true, Admin);
        await keys.UpdateAsync(issued.Key.Id, new KeyChanges(Name: "Audited 2"), Admin);
        var rotated = await keys.RegenerateAsync(issued.Key.Id, TimeSpan.Zero, Admin);
        await keys.DeleteAsync(issued.Key.Id, Admin);

        var rows = await Db(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

        Assert.Equal(
            [AuditActions.KeyCreated, AuditActions.KeyDisabled, AuditActions.KeyEnabled, AuditActions.KeyUpdated, AuditActions.KeyRegenerated, AuditActions.KeyDeleted],
            rows.Select(r => r.Action));
        Assert.All(rows, r =>
        {
            Assert.Equal((issued.Key.Id, "user-1", "owner@example.com", "192.0.2.10"), (r.KeyId, r.ActorId, r.ActorName, r.ClientIp));
            Assert.Equal(DateTimeKind.Utc, r.At.Kind);
            Assert.DoesNotContain(issued.Secret, r.Details);
            Assert.DoesNotContain(rotated!.Secret, r.Details);
            Assert.DoesNotContain(issued.Key.KeyHash, r.Details);
        });
    }
}
