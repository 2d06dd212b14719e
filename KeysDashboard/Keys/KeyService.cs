using System.Net;
using System.Text.Json;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Keys;

/// <summary>
/// Every rule about keys lives here: create, edit, enable, disable, regenerate, delete, and verify a presented
/// secret. The dashboard, the REST API and the command line all come through this one code path, and each
/// change is written together with its audit row in one SaveChanges.
/// </summary>
internal sealed class KeyService(
    IDbContextFactory<ApplicationDbContext> dbFactory,
    TimeProvider clock,
    IOptions<KeyOptions> options,
    ILogger<KeyService> logger)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    // A write that keeps losing the race to other writes of the same key gives up with KeyChangedException (409)
    // rather than spinning; each lost round means another write of that key succeeded.
    private const int MaxWriteAttempts = 20;

    /// <param name="saveAlongside">
    /// Adds rows that must commit in the same transaction as the key, or not at all (a remembered idempotent
    /// response). If its rows clash with a unique index the key is not created and the DbUpdateException is thrown.
    /// </param>
    public async Task<IssuedKey> CreateAsync(
        KeyDraft draft, Actor actor, CancellationToken cancellationToken = default, SaveAlongside? saveAlongside = null)
    {
        var now = Now;
        ThrowIfAny(KeyRules.Check(draft.Name, nameSet: true, draft.Ips, draft.ExpiresAt, now, out var ips));

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var secret = KeySecret.Generate(options.Value.Prefix);
        var key = new ApiKey
        {
            Name = draft.Name.Trim(),
            ReadOnly = draft.ReadOnly,
            Ips = [.. ips!],
            ExpiresAt = draft.ExpiresAt,
            KeyHash = KeySecret.Hash(secret),
            Prefix = KeySecret.PrefixOf(secret),
            LastFour = KeySecret.LastFour(secret),
            CreatedBy = actor.Id,
            CreatedByName = actor.Name,
            CreatedAt = now,
            UpdatedBy = actor.Id,
            UpdatedByName = actor.Name,
            UpdatedAt = now,
        };
        db.ApiKeys.Add(key);
        Audit(db, actor, AuditActions.KeyCreated, key, new { key.ReadOnly, key.Ips, expires_at = key.ExpiresAt });
        var issued = new IssuedKey(key, secret);
        if (saveAlongside is not null)
        {
            await saveAlongside(db, issued);
        }
        await db.SaveChangesAsync(cancellationToken);

        logger.LogInformation("Key {KeyId} ({KeyMasked}) created by {ActorId}", key.Id, key.Masked, actor.Id);
        return issued;
    }

    public async Task<ApiKey?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
    }

    /// <summary>
    /// Applies the non-null fields of <paramref name="changes"/>; null when the key does not exist (or was deleted
    /// meanwhile). With <paramref name="ifVersion"/>, only a key still at one of those versions is changed, else
    /// <see cref="KeyChangedException"/>; the check is made by the UPDATE itself, not only by the read before it.
    /// </summary>
    public Task<ApiKey?> UpdateAsync(
        string id, KeyChanges changes, Actor actor, CancellationToken cancellationToken = default, IReadOnlyCollection<int>? ifVersion = null) =>
        WriteAsync(id, ifVersion, (db, key) =>
        {
            var now = Now;
            ThrowIfAny(KeyRules.Check(changes.Name, changes.Name is not null, changes.Ips, changes.ExpiresAt, now, out var ips));

            var wasEnabled = key.Enabled;
            key.Name = changes.Name?.Trim() ?? key.Name;
            key.ReadOnly = changes.ReadOnly ?? key.ReadOnly;
            key.Ips = ips is null ? key.Ips : [.. ips];
            key.Enabled = changes.Enabled ?? key.Enabled;
            key.ExpiresAt = changes.ClearExpiry ? null : changes.ExpiresAt ?? key.ExpiresAt;
            Touch(key, actor, now);

            var action = changes is { Name: null, ReadOnly: null, Ips: null, ExpiresAt: null, ClearExpiry: false, Enabled: { } enabled }
                ? enabled ? AuditActions.KeyEnabled : AuditActions.KeyDisabled
                : AuditActions.KeyUpdated;
            Audit(db, actor, action, key, new
            {
                key.Name,
                key.ReadOnly,
                key.Ips,
                key.Enabled,
                expires_at = key.ExpiresAt,
                was_enabled = wasEnabled,
            });
            return Task.FromResult<ApiKey?>(key);
        }, cancellationToken);

    public Task<ApiKey?> SetEnabledAsync(
        string id, bool enabled, Actor actor, CancellationToken cancellationToken = default, IReadOnlyCollection<int>? ifVersion = null) =>
        UpdateAsync(id, new KeyChanges(Enabled: enabled), actor, cancellationToken, ifVersion);

    /// <summary>
    /// Issues a new secret. With a grace period the old secret keeps working until it ends; without one it stops
    /// at once. A second regenerate ends any earlier grace period: only the secret just replaced is remembered.
    /// </summary>
    public async Task<IssuedKey?> RegenerateAsync(
        string id, TimeSpan gracePeriod, Actor actor, CancellationToken cancellationToken = default,
        IReadOnlyCollection<int>? ifVersion = null, SaveAlongside? saveAlongside = null)
    {
        var errors = new Dictionary<string, string[]>();
        AddError(errors, "grace_period_seconds", KeyRules.CheckGracePeriod(gracePeriod));
        ThrowIfAny(errors);

        var issued = await WriteAsync(id, ifVersion, async (db, key) =>
        {
            var now = Now;
            var secret = KeySecret.Generate(options.Value.Prefix);
            key.PreviousKeyHash = gracePeriod > TimeSpan.Zero ? key.KeyHash : null;
            key.PreviousKeyExpiresAt = gracePeriod > TimeSpan.Zero ? now + gracePeriod : null;
            key.KeyHash = KeySecret.Hash(secret);
            key.Prefix = KeySecret.PrefixOf(secret);
            key.LastFour = KeySecret.LastFour(secret);
            Touch(key, actor, now);
            Audit(db, actor, AuditActions.KeyRegenerated, key, new
            {
                grace_period_seconds = (int)gracePeriod.TotalSeconds,
                old_secret_valid_until = key.PreviousKeyExpiresAt,
            });
            var issued = new IssuedKey(key, secret);
            if (saveAlongside is not null)
            {
                await saveAlongside(db, issued);
            }
            return issued;
        }, cancellationToken);

        if (issued is not null)
        {
            logger.LogInformation("Key {KeyId} regenerated by {ActorId}, grace period {GracePeriod}", id, actor.Id, gracePeriod);
        }
        return issued;
    }

    /// <summary>False when there is no such key (any more). <paramref name="ifVersion"/> as for <see cref="UpdateAsync"/>.</summary>
    public async Task<bool> DeleteAsync(
        string id, Actor actor, CancellationToken cancellationToken = default, IReadOnlyCollection<int>? ifVersion = null)
    {
        var deleted = await WriteAsync(id, ifVersion, (db, key) =>
        {
            db.ApiKeys.Remove(key);
            Audit(db, actor, AuditActions.KeyDeleted, key, new { key.Masked });
            return Task.FromResult<ApiKey?>(key);
        }, cancellationToken);
        if (deleted is not null)
        {
            logger.LogInformation("Key {KeyId} deleted by {ActorId}", id, actor.Id);
        }
        return deleted is not null;
    }

    /// <summary>
    /// Reads the key, lets <paramref name="change"/> change it, and saves with the version it read in the WHERE.
    /// If another write got there first (the key was changed or deleted), nothing was written: read again and
    /// either apply the change to the fresh key, report the key gone (null), or refuse a stale precondition.
    /// </summary>
    private async Task<T?> WriteAsync<T>(
        string id, IReadOnlyCollection<int>? ifVersion, Func<ApplicationDbContext, ApiKey, Task<T?>> change, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
            if (key is null)
            {
                return null;
            }
            if (ifVersion is not null && !ifVersion.Contains(key.Version))
            {
                throw new KeyChangedException(key);
            }

            var result = await change(db, key);
            if (db.Entry(key).State == EntityState.Modified)
            {
                key.Version++;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxWriteAttempts)
            {
                logger.LogDebug("Key {KeyId} was changed or deleted by another request during a write; reading it again", id);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new KeyChangedException(key);
            }
        }
    }

    /// <summary>
    /// Checks a presented secret for a client address. A malformed secret or a bad checksum is refused before
    /// the database is asked. Never logs or returns the secret.
    /// </summary>
    public async Task<KeyVerification> VerifyAsync(
        string? presented, IPAddress? clientIp, CancellationToken cancellationToken = default, bool checkAllowlist = true)
    {
        if (!KeySecret.IsWellFormed(presented))
        {
            return new KeyVerification(KeyVerificationCode.Malformed, null);
        }

        var now = Now;
        var hash = KeySecret.Hash(presented!);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.KeyHash == hash || (k.PreviousKeyHash == hash && k.PreviousKeyExpiresAt > now), cancellationToken);

        var code = key switch
        {
            null => KeyVerificationCode.NotFound,
            _ when key.StatusAt(now) == KeyStatus.Disabled => KeyVerificationCode.Disabled,
            _ when key.StatusAt(now) == KeyStatus.Expired => KeyVerificationCode.Expired,
            _ when checkAllowlist && !IpAllowlist.Allows(key.Ips, clientIp) => KeyVerificationCode.IpNotAllowed,
            _ => KeyVerificationCode.Valid,
        };
        return new KeyVerification(code, key);
    }

    private static void Touch(ApiKey key, Actor actor, DateTime now)
    {
        key.UpdatedBy = actor.Id;
        key.UpdatedByName = actor.Name;
        key.UpdatedAt = now;
    }

    private void Audit(ApplicationDbContext db, Actor actor, string action, ApiKey key, object details) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = Now,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            KeyId = key.Id,
            KeyName = key.Name,
            ClientIp = actor.ClientIp,
            Details = JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });

    private static void AddError(Dictionary<string, string[]> errors, string field, string? message)
    {
        if (message is not null)
        {
            errors[field] = [message];
        }
    }

    private static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new KeyValidationException(errors);
        }
    }
}

/// <summary>Adds rows to the context of a key write before it is saved, so that they commit with it or not at all.</summary>
internal delegate Task SaveAlongside(ApplicationDbContext db, IssuedKey issued);

/// <summary>
/// The key is not at the version the caller based its change on: someone else changed it since it was read.
/// <see cref="Current"/> is the key as this request last read it.
/// </summary>
internal sealed class KeyChangedException(ApiKey current) : Exception($"Key {current.Id} was changed by someone else.")
{
    public ApiKey Current { get; } = current;
}

internal enum KeyVerificationCode
{
    Valid,
    Malformed,
    NotFound,
    Disabled,
    Expired,
    IpNotAllowed,
}

internal sealed record KeyVerification(KeyVerificationCode Code, ApiKey? Key)
{
    public bool IsValid => Code == KeyVerificationCode.Valid;
}
