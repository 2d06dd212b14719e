using System.Net;
using KeysDashboard.Access;
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
    AccessGuard guard,
    ILogger<KeyService> logger)
{
    /// <summary>Bulk changes are written this many keys per SaveChanges.</summary>
    private const int BulkBatchSize = 200;

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
        await guard.Demand(actor, Permission.KeysCreate, cancellationToken: cancellationToken);
        var now = Now;
        var errors = KeyRules.Check(draft.Name, nameSet: true, draft.Ips, draft.ExpiresAt, now, out var ips);
        AddError(errors, "scopes", KeyRules.CheckScopes(draft.Scopes));
        ThrowIfAny(errors);
        var scopes = AccessTable.Canonical(draft.EffectiveScopes);
        if (actor.Bounds?.Refuses(scopes, ips!, draft.ExpiresAt) is { } beyond)
        {
            throw await guard.RefuseAsync(actor, Permission.KeysCreate, beyond, cancellationToken: cancellationToken);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var secret = KeySecret.Generate(options.Value.Prefix);
        var key = new ApiKey
        {
            Name = draft.Name.Trim(),
            Scopes = [.. scopes],
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
        Audit(db, actor, AuditActions.KeyCreated, key, new { key.Scopes, key.Ips, expires_at = key.ExpiresAt });
        var issued = new IssuedKey(key, secret);
        if (saveAlongside is not null)
        {
            await saveAlongside(db, issued);
        }
        await db.SaveChangesAsync(cancellationToken);

        logger.LogInformation("Key {KeyId} ({KeyMasked}) created by {ActorId}", key.Id, key.Masked, actor.Id);
        return issued;
    }

    public async Task<ApiKey?> FindAsync(string id, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.KeysView, cancellationToken: cancellationToken, keyId: id);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
    }

    /// <summary>
    /// Applies the non-null fields of <paramref name="changes"/>; null when the key does not exist (or was deleted
    /// meanwhile). With <paramref name="ifVersion"/>, only a key still at one of those versions is changed, else
    /// <see cref="KeyChangedException"/>; the check is made by the UPDATE itself, not only by the read before it.
    /// </summary>
    public async Task<ApiKey?> UpdateAsync(
        string id, KeyChanges changes, Actor actor, CancellationToken cancellationToken = default, IReadOnlyCollection<int>? ifVersion = null)
    {
        var permission = changes.IsToggle ? changes.Enabled!.Value ? Permission.KeysEnable : Permission.KeysDisable : Permission.KeysEdit;
        await guard.Demand(actor, permission, cancellationToken: cancellationToken, keyId: id);
        var now = Now;
        var errors = KeyRules.Check(changes.Name, changes.Name is not null, changes.Ips, changes.ExpiresAt, now, out var ips);
        AddError(errors, "scopes", KeyRules.CheckScopes(changes.Scopes));
        AddError(errors, "reason", KeyRules.CheckReason(changes.Reason));
        if (changes.Enabled is false && string.IsNullOrWhiteSpace(changes.Reason) && actor.Kind == ActorKind.Person && !actor.Can(Permission.KeysEnable))
        {
            // Whoever can enable it again needs to know why it was stopped.
            errors["reason"] = ["Say why the key is disabled: the reason goes to the audit log."];
        }
        ThrowIfAny(errors);

        return await WriteAsync(id, ifVersion, async (db, key) =>
        {
            var scopes = changes.Scopes is { } replaced ? AccessTable.Canonical(replaced)
                : changes.ReadOnly is { } readOnly ? VidbeoPermissions.Apply(key.Scopes, readOnly)
                : key.Scopes;
            var newIps = ips ?? key.Ips;
            var expires = changes.ClearExpiry ? null : changes.ExpiresAt ?? key.ExpiresAt;
            if (actor.Bounds is { } bounds
                && (bounds.RefusesScopes(key.Scopes) ?? (changes.IsToggle ? null : bounds.Refuses(scopes, newIps, expires))) is { } beyond)
            {
                throw await guard.RefuseAsync(actor, permission, beyond, key, cancellationToken: cancellationToken);
            }

            var wasEnabled = key.Enabled;
            key.Name = changes.Name?.Trim() ?? key.Name;
            if (!scopes.SequenceEqual(key.Scopes))
            {
                key.Scopes = [.. scopes];
            }
            if (ips is not null)
            {
                key.Ips = [.. ips];
            }
            key.Enabled = changes.Enabled ?? key.Enabled;
            key.ExpiresAt = expires;
            Touch(key, actor, now);

            var action = changes.IsToggle
                ? changes.Enabled!.Value ? AuditActions.KeyEnabled : AuditActions.KeyDisabled
                : AuditActions.KeyUpdated;
            Audit(db, actor, action, key, new
            {
                key.Name,
                key.Scopes,
                key.Ips,
                key.Enabled,
                expires_at = key.ExpiresAt,
                was_enabled = wasEnabled,
            }, changes.Reason);
            return key;
        }, cancellationToken);
    }

    public Task<ApiKey?> SetEnabledAsync(
        string id, bool enabled, Actor actor, CancellationToken cancellationToken = default, IReadOnlyCollection<int>? ifVersion = null,
        string? reason = null) =>
        UpdateAsync(id, new KeyChanges(Enabled: enabled, Reason: reason), actor, cancellationToken, ifVersion);

    /// <summary>
    /// Issues a new secret. With a grace period the old secret keeps working until it ends; without one it stops
    /// at once. A second regenerate ends any earlier grace period: only the secret just replaced is remembered.
    /// </summary>
    public async Task<IssuedKey?> RegenerateAsync(
        string id, TimeSpan gracePeriod, Actor actor, CancellationToken cancellationToken = default,
        IReadOnlyCollection<int>? ifVersion = null, SaveAlongside? saveAlongside = null)
    {
        await guard.Demand(actor, Permission.KeysRegenerate, cancellationToken: cancellationToken, keyId: id);
        var errors = new Dictionary<string, string[]>();
        AddError(errors, "grace_period_seconds", KeyRules.CheckGracePeriod(gracePeriod));
        ThrowIfAny(errors);

        var issued = await WriteAsync(id, ifVersion, async (db, key) =>
        {
            // Whoever regenerates a key holds its secret: a key may do that only to keys no stronger than itself.
            if (actor.Bounds?.Refuses(key.Scopes, key.Ips, key.ExpiresAt) is { } beyond)
            {
                throw await guard.RefuseAsync(actor, Permission.KeysRegenerate, beyond, key, cancellationToken: cancellationToken);
            }
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
        string id, Actor actor, CancellationToken cancellationToken = default, IReadOnlyCollection<int>? ifVersion = null, string? reason = null)
    {
        await guard.Demand(actor, Permission.KeysDelete, cancellationToken: cancellationToken, keyId: id);
        ThrowIfAny(Errors("reason", KeyRules.CheckReason(reason)));
        var deleted = await WriteAsync(id, ifVersion, async (db, key) =>
        {
            if (actor.Bounds?.RefusesScopes(key.Scopes) is { } beyond)
            {
                throw await guard.RefuseAsync(actor, Permission.KeysDelete, beyond, key, cancellationToken: cancellationToken);
            }
            db.ApiKeys.Remove(key);
            Audit(db, actor, AuditActions.KeyDeleted, key, new { key.Masked, key.Scopes }, reason);
            return key;
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

    /// <summary>POST /verify: another service asks whether a key its caller sent is good. Needs the verify scope.</summary>
    public async Task<KeyVerification> CheckAsync(
        string? presented, IPAddress? clientIp, Actor actor, CancellationToken cancellationToken = default, bool checkAllowlist = true)
    {
        await guard.Demand(actor, Permission.KeysVerify, cancellationToken: cancellationToken);
        return await VerifyAsync(presented, clientIp, cancellationToken, checkAllowlist);
    }

    /// <summary>
    /// The support desk: what a pasted secret is and which key it belongs to, including an old secret still in its
    /// grace period. The secret itself is neither logged nor stored; the lookup is audited with its outcome.
    /// </summary>
    public async Task<LeakLookup> LookupLeakedAsync(string? pasted, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.KeysLookupLeaked, cancellationToken: cancellationToken);
        var candidate = KeySearch.Normalize(pasted);
        var shape = KeySecret.Inspect(candidate, options.Value.Prefix);
        ApiKey? key = null;
        var previous = false;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (shape == SecretShape.WellFormed)
        {
            var now = Now;
            var hash = KeySecret.Hash(candidate);
            key = await db.ApiKeys.AsNoTracking()
                .FirstOrDefaultAsync(k => k.KeyHash == hash || (k.PreviousKeyHash == hash && k.PreviousKeyExpiresAt > now), cancellationToken);
            previous = key is not null && key.KeyHash != hash;
        }

        var outcome = shape switch
        {
            SecretShape.NotAKey => LeakLookupOutcome.NotAKey,
            SecretShape.Mistyped => LeakLookupOutcome.Mistyped,
            _ when key is null => LeakLookupOutcome.NotFound,
            _ => LeakLookupOutcome.Found,
        };
        Audit(db, actor, AuditActions.KeyLookedUp, key, new { outcome = outcome.ToString().ToLowerInvariant(), previous_secret = previous });
        await db.SaveChangesAsync(CancellationToken.None);
        return new LeakLookup(outcome, key, previous);
    }

    /// <summary>Disables many keys, each with its own audit row and the shared reason. Keys already disabled or gone are skipped.</summary>
    public Task<BulkResult> DisableManyAsync(IReadOnlyCollection<string> ids, string reason, Actor actor, CancellationToken cancellationToken = default) =>
        DisableManyAsync(ids.Distinct().ToDictionary(id => id, _ => reason), actor, cancellationToken);

    /// <summary>As <see cref="DisableManyAsync(IReadOnlyCollection{string}, string, Actor, CancellationToken)"/>, with a reason per key (secret scanning: the URL each leaked at).</summary>
    public Task<BulkResult> DisableManyAsync(IReadOnlyDictionary<string, string> reasonsById, Actor actor, CancellationToken cancellationToken = default) =>
        BulkAsync(reasonsById, actor, Permission.KeysBulkDisable, (db, key, reason) =>
        {
            if (!key.Enabled)
            {
                return false;
            }
            key.Enabled = false;
            key.Version++;
            Touch(key, actor, Now);
            Audit(db, actor, AuditActions.KeyDisabled, key, new { key.Name, key.Enabled, was_enabled = true, bulk = true }, reason);
            return true;
        }, cancellationToken);

    /// <summary>Deletes many keys, each with its own audit row and the shared reason. Keys already gone are skipped.</summary>
    public Task<BulkResult> DeleteManyAsync(IReadOnlyCollection<string> ids, string reason, Actor actor, CancellationToken cancellationToken = default) =>
        BulkAsync(ids.Distinct().ToDictionary(id => id, _ => reason), actor, Permission.KeysBulkDelete, (db, key, reason) =>
        {
            db.ApiKeys.Remove(key);
            Audit(db, actor, AuditActions.KeyDeleted, key, new { key.Masked, key.Scopes, bulk = true }, reason);
            return true;
        }, cancellationToken);

    private async Task<BulkResult> BulkAsync(
        IReadOnlyDictionary<string, string> reasonsById, Actor actor, Permission permission,
        Func<ApplicationDbContext, ApiKey, string, bool> change, CancellationToken cancellationToken)
    {
        await guard.Demand(actor, permission, cancellationToken: cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (reasonsById.Values.Any(string.IsNullOrWhiteSpace))
        {
            errors["reason"] = ["Say why: the reason goes to the audit log of every key."];
        }
        else
        {
            AddError(errors, "reason", reasonsById.Values.Select(KeyRules.CheckReason).FirstOrDefault(e => e is not null));
        }
        ThrowIfAny(errors);

        var changed = new List<ApiKey>();
        var skipped = 0;
        foreach (var batch in reasonsById.Keys.Chunk(BulkBatchSize))
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var keys = await db.ApiKeys.Where(k => batch.Contains(k.Id)).ToListAsync(cancellationToken);
                if (actor.Bounds is { } bounds && keys.Select(k => (Key: k, Why: bounds.RefusesScopes(k.Scopes))).FirstOrDefault(r => r.Why is not null) is { Key: { } strong, Why: { } why })
                {
                    throw await guard.RefuseAsync(actor, permission, why, strong, cancellationToken: cancellationToken);
                }
                var done = keys.Where(k => change(db, k, reasonsById[k.Id])).ToList();
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    changed.AddRange(done);
                    skipped += batch.Length - done.Count;
                    break;
                }
                catch (DbUpdateConcurrencyException) when (attempt < MaxWriteAttempts)
                {
                    logger.LogDebug("A key of a bulk change was changed by another request; reading the batch again");
                }
            }
        }
        logger.LogInformation("{Permission} by {ActorId}: {Changed} keys changed, {Skipped} skipped", permission.Name(), actor.Id, changed.Count, skipped);
        return new BulkResult(changed, skipped);
    }

    private static void Touch(ApiKey key, Actor actor, DateTime now)
    {
        key.UpdatedBy = actor.Id;
        key.UpdatedByName = actor.Name;
        key.UpdatedAt = now;
    }

    private void Audit(ApplicationDbContext db, Actor actor, string action, ApiKey? key, object details, string? reason = null) =>
        db.AuditEntries.Add(AuditEntry.For(actor, action, Now, key: key, reason: reason, details: details));

    private static Dictionary<string, string[]> Errors(string field, string? message)
    {
        var errors = new Dictionary<string, string[]>();
        AddError(errors, field, message);
        return errors;
    }

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

internal enum LeakLookupOutcome
{
    /// <summary>Not shaped like a key of this instance.</summary>
    NotAKey,

    /// <summary>Shaped like one, but the checksum does not match: mistyped or cut short.</summary>
    Mistyped,

    /// <summary>A well-formed key that no key has (any more): deleted, or replaced by a regenerate.</summary>
    NotFound,
    Found,
}

/// <param name="PreviousSecret">The pasted secret is the key's old one, still working in a regenerate's grace period.</param>
internal sealed record LeakLookup(LeakLookupOutcome Outcome, ApiKey? Key, bool PreviousSecret);

/// <param name="Changed">The keys changed (as they were just before a delete).</param>
/// <param name="Skipped">Keys already in the asked state, or gone.</param>
internal sealed record BulkResult(IReadOnlyList<ApiKey> Changed, int Skipped);
