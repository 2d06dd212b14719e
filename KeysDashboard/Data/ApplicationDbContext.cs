using KeysDashboard.Audit;
using KeysDashboard.Idempotency;
using KeysDashboard.Keys;
using KeysDashboard.Setup;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KeysDashboard.Data;

internal sealed class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options)
    : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<InstallationOwner> InstallationOwners => Set<InstallationOwner>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<Users.SignInSession> SignInSessions => Set<Users.SignInSession>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ApiKey>(key =>
        {
            key.Property(k => k.Id).HasMaxLength(32);
            key.Property(k => k.Version).IsConcurrencyToken();
            key.Property(k => k.Name).HasMaxLength(KeyRules.NameMaxLength);
            key.Property(k => k.KeyHash).HasMaxLength(64);
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.HasIndex(k => k.PreviousKeyHash);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.LastFour).HasMaxLength(4);
            key.Property(k => k.CreatedBy).HasMaxLength(64);
            key.Property(k => k.UpdatedBy).HasMaxLength(64);
            key.Property(k => k.CreatedByName).HasMaxLength(256);
            key.Property(k => k.UpdatedByName).HasMaxLength(256);
            key.Property(k => k.LastUsedIp).HasMaxLength(64);
            key.HasIndex(k => k.CreatedAt);
            key.HasIndex(k => k.Name);
            key.Property(k => k.Scopes).HasField("scopes");
        });

        builder.Entity<ApplicationUser>(user =>
        {
            user.HasIndex(u => u.LastSignInAt);
        });

        builder.Entity<AuditEntry>(entry =>
        {
            entry.Property(e => e.Action).HasMaxLength(64);
            entry.Property(e => e.ActorId).HasMaxLength(64);
            entry.Property(e => e.ActorName).HasMaxLength(256);
            entry.Property(e => e.KeyName).HasMaxLength(KeyRules.NameMaxLength);
            entry.Property(e => e.KeyId).HasMaxLength(32);
            entry.Property(e => e.ClientIp).HasMaxLength(64);
            entry.Property(e => e.ActorKind).HasMaxLength(16);
            entry.Property(e => e.Outcome).HasMaxLength(16);
            entry.Property(e => e.TargetId).HasMaxLength(450);
            entry.Property(e => e.TargetName).HasMaxLength(256);
            entry.Property(e => e.RequestId).HasMaxLength(128);
            entry.Property(e => e.Reason).HasMaxLength(KeyRules.ReasonMaxLength + 1500);
            entry.Property(e => e.PreviousHash).HasMaxLength(64);
            entry.Property(e => e.Hash).HasMaxLength(64);
            entry.HasIndex(e => e.Seq).IsUnique();
            entry.HasIndex(e => e.At);
            entry.HasIndex(e => e.KeyId);
            entry.HasIndex(e => e.ActorId);
            entry.HasIndex(e => e.Action);
        });

        builder.Entity<IdempotencyRecord>(record =>
        {
            record.Property(r => r.CallerKeyId).HasMaxLength(32);
            record.Property(r => r.Key).HasMaxLength(255);
            record.Property(r => r.RequestHash).HasMaxLength(64);
            record.HasIndex(r => new { r.CallerKeyId, r.Key }).IsUnique();
            record.HasIndex(r => r.ExpiresAt);
        });

        builder.Entity<Users.SignInSession>(session =>
        {
            session.Property(s => s.Id).HasMaxLength(64);
            session.Property(s => s.UserId).HasMaxLength(450);
            session.HasIndex(s => s.UserId);
        });

        builder.Entity<InstallationOwner>(owner =>
        {
            // A single row whose fixed key makes a second owner a primary-key violation, whatever races.
            owner.Property(o => o.Id).ValueGeneratedNever();
            owner.Property(o => o.UserId).HasMaxLength(450);
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite hands DateTime back as Unspecified, so say so on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
