using System.ComponentModel.DataAnnotations;
using System.Text;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Users;

/// <summary>One person as the users page lists them.</summary>
internal sealed record UserSummary(
    string Id, string Email, string? Role, DateTime? LastSignInAt, bool TwoFactorEnabled, bool Locked, DateTime? CreatedAt);

/// <summary>A new account and its one-time set-password link (absolute URL). The link is shown once and never stored.</summary>
internal sealed record Invitation(UserSummary User, string Link);

/// <summary>A rule said no (the last Admin, a bad email, an unknown role, a duplicate). The messages are safe to show.</summary>
internal sealed class UserRuleException(IReadOnlyList<string> messages) : Exception(string.Join(" ", messages))
{
    public UserRuleException(string message) : this([message])
    {
    }

    public IReadOnlyList<string> Messages { get; } = messages;
}

/// <summary>
/// Managing people: listing, inviting, changing roles, locking, unlocking and removing. Every method demands
/// <see cref="Permission.UsersManage"/> (refusals are audited by <see cref="AccessGuard"/>), and every change
/// writes its audit row in the same transaction as the change.
/// <para>
/// The rules: there is always at least one active (unlocked) Admin, so the last one can be neither removed, demoted
/// nor locked; nobody locks or removes themselves. Each change runs one at a time in this process (a gate) and,
/// between processes, inside a SQLite write transaction (BEGIN IMMEDIATE) taken before the Admins are counted, so two
/// Admins demoting each other at once cannot both succeed. Inside that turn the acting person's own role is read
/// again: someone demoted a moment ago cannot finish an action they started as an Admin.
/// </para>
/// Removing, locking or demoting someone ends their sessions at once: their server-side sign-in sessions are deleted
/// and their security stamp changes (which also voids any set-password link and makes open tabs sign out).
/// </summary>
internal sealed class UserService(IServiceScopeFactory scopes, AccessGuard guard, TimeProvider clock, ILogger<UserService> logger)
{
    public const int EmailMaxLength = 256;

    // One user change at a time in this process; the immediate transaction orders processes.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public async Task<IReadOnlyList<UserSummary>> ListAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.UsersManage, cancellationToken: cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var now = clock.GetUtcNow();
        var people = await Summaries(db).ToListAsync(cancellationToken);
        return [.. people.Select(p => p.ToSummary(now)).OrderBy(p => p.Email, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// Creates an account without a password (email counted as confirmed: the Admin vouches for it) and returns a
    /// one-time link to /Account/SetPassword under <paramref name="baseUri"/>. The link carries Identity's
    /// password-reset token: valid 24 hours, and void once used (setting the password changes the security stamp).
    /// </summary>
    public async Task<Invitation> InviteAsync(string email, string role, Actor actor, Uri baseUri, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.UsersManage, targetName: Truncate(email?.Trim()), cancellationToken: cancellationToken);
        var errors = new List<string>();
        var address = (email ?? "").Trim();
        if (address.Length == 0)
        {
            errors.Add("Enter the person's email address.");
        }
        else if (address.Length > EmailMaxLength || !new EmailAddressAttribute().IsValid(address) || address.Any(char.IsControl) || address.Any(char.IsWhiteSpace))
        {
            errors.Add($"“{Truncate(address, 80)}” is not an email address.");
        }
        var canonicalRole = AccessTable.CanonicalRole(role?.Trim());
        if (canonicalRole is null)
        {
            errors.Add($"Choose a role: {string.Join(", ", AccessTable.RoleNames)}.");
        }
        if (errors.Count > 0)
        {
            throw new UserRuleException(errors);
        }

        return await ChangeAsync(actor, targetId: null, async (db, users, _) =>
        {
            if (await users.FindByEmailAsync(address) is not null || await users.FindByNameAsync(address) is not null)
            {
                throw new UserRuleException($"{address} already has an account.");
            }
            var user = new ApplicationUser
            {
                UserName = address,
                Email = address,
                EmailConfirmed = true,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            Check(await users.CreateAsync(user));
            Check(await users.AddToRoleAsync(user, canonicalRole!));
            var token = await users.GeneratePasswordResetTokenAsync(user);
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.UserInvited, clock.GetUtcNow().UtcDateTime,
                details: new { role = canonicalRole }, targetId: user.Id, targetName: user.Email));
            var link = SetPasswordLink(baseUri, user.Id, token);
            return new Invitation(new UserSummary(user.Id, address, canonicalRole, null, false, false, user.CreatedAt), link);
        }, cancellationToken);
    }

    public async Task<UserSummary> ChangeRoleAsync(string userId, string role, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.UsersManage, targetId: userId, cancellationToken: cancellationToken);
        var canonicalRole = AccessTable.CanonicalRole(role?.Trim())
            ?? throw new UserRuleException($"Choose a role: {string.Join(", ", AccessTable.RoleNames)}.");

        return await ChangeAsync(actor, userId, async (db, users, target) =>
        {
            var current = target!.Role;
            if (current == canonicalRole)
            {
                return await SummaryAsync(db, target.User.Id, cancellationToken);
            }
            if (current == AccessTable.AdminRole && !target.Locked)
            {
                await RequireAnotherActiveAdminAsync(db, target.User.Id, $"{target.User.Email} is the last Admin: make someone else an Admin first.", cancellationToken);
            }
            foreach (var held in await users.GetRolesAsync(target.User))
            {
                Check(await users.RemoveFromRoleAsync(target.User, held));
            }
            Check(await users.AddToRoleAsync(target.User, canonicalRole));
            // A new role ends the old sessions: they carry the old role, and an open tab must not keep it.
            await EndSessionsAsync(db, users, target.User, cancellationToken);
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.UserRoleChanged, clock.GetUtcNow().UtcDateTime,
                details: new { from = current, to = canonicalRole }, targetId: target.User.Id, targetName: target.User.Email));
            return await SummaryAsync(db, target.User.Id, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Locks the person out until unlocked (the lockout end is the far future) and ends their sessions.</summary>
    public async Task<UserSummary> LockAsync(string userId, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.UsersManage, targetId: userId, cancellationToken: cancellationToken);
        return await ChangeAsync(actor, userId, async (db, users, target) =>
        {
            if (target!.User.Id == actor.Id)
            {
                throw new UserRuleException("You cannot lock yourself out. Ask another Admin.");
            }
            if (!target.Locked)
            {
                if (target.Role == AccessTable.AdminRole)
                {
                    await RequireAnotherActiveAdminAsync(db, target.User.Id, $"{target.User.Email} is the last Admin and cannot be locked.", cancellationToken);
                }
                Check(await users.SetLockoutEnabledAsync(target.User, true));
                Check(await users.SetLockoutEndDateAsync(target.User, DateTimeOffset.MaxValue));
            }
            await EndSessionsAsync(db, users, target.User, cancellationToken);
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.UserLocked, clock.GetUtcNow().UtcDateTime,
                targetId: target.User.Id, targetName: target.User.Email));
            return await SummaryAsync(db, target.User.Id, cancellationToken);
        }, cancellationToken);
    }

    public async Task<UserSummary> UnlockAsync(string userId, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.UsersManage, targetId: userId, cancellationToken: cancellationToken);
        return await ChangeAsync(actor, userId, async (db, users, target) =>
        {
            Check(await users.SetLockoutEndDateAsync(target!.User, null));
            Check(await users.ResetAccessFailedCountAsync(target.User));
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.UserUnlocked, clock.GetUtcNow().UtcDateTime,
                targetId: target.User.Id, targetName: target.User.Email));
            return await SummaryAsync(db, target.User.Id, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Deletes the account and its sessions. Their past actions stay in the audit log under their id and email.</summary>
    public async Task RemoveAsync(string userId, Actor actor, CancellationToken cancellationToken = default)
    {
        await guard.Demand(actor, Permission.UsersManage, targetId: userId, cancellationToken: cancellationToken);
        await ChangeAsync<bool>(actor, userId, async (db, users, target) =>
        {
            if (target!.User.Id == actor.Id)
            {
                throw new UserRuleException("You cannot remove yourself. Ask another Admin.");
            }
            if (target.Role == AccessTable.AdminRole && !target.Locked)
            {
                await RequireAnotherActiveAdminAsync(db, target.User.Id, $"{target.User.Email} is the last Admin and cannot be removed.", cancellationToken);
            }
            await db.SignInSessions.Where(s => s.UserId == target.User.Id).ExecuteDeleteAsync(cancellationToken);
            Check(await users.DeleteAsync(target.User));
            db.AuditEntries.Add(AuditEntry.For(actor, AuditActions.UserRemoved, clock.GetUtcNow().UtcDateTime,
                details: new { role = target.Role }, targetId: target.User.Id, targetName: target.User.Email));
            return true;
        }, cancellationToken);
    }

    /// <summary>The set-password link for <paramref name="userId"/>: /Account/SetPassword?userId=..&amp;code=.. (the token base64url-encoded).</summary>
    public static string SetPasswordLink(Uri baseUri, string userId, string token)
    {
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        var root = baseUri.ToString().TrimEnd('/');
        return $"{root}/Account/SetPassword?userId={Uri.EscapeDataString(userId)}&code={code}";
    }

    private sealed record Target(ApplicationUser User, string? Role, bool Locked);

    /// <summary>
    /// Runs one change: in the gate, inside an immediate (write-locking) transaction, with the acting person's role
    /// re-read and the target loaded; commits the change with its audit row, or rolls everything back.
    /// </summary>
    private async Task<T> ChangeAsync<T>(Actor actor, string? targetId,
        Func<ApplicationDbContext, UserManager<ApplicationUser>, Target?, Task<T>> change, CancellationToken cancellationToken)
    {
        string? refusal = null;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            // Microsoft.Data.Sqlite begins with BEGIN IMMEDIATE: the write lock is ours before anything is counted.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            if (actor.Kind == ActorKind.Person && !await StillManagesAsync(db, actor.Id, cancellationToken))
            {
                refusal = "Your role changed a moment ago: you may no longer manage people.";
            }
            else
            {
                Target? target = null;
                if (targetId is not null)
                {
                    var user = await users.FindByIdAsync(targetId) ?? throw new UserRuleException("That person no longer has an account.");
                    var role = (await users.GetRolesAsync(user)).FirstOrDefault();
                    target = new Target(user, role, IsLocked(user));
                }
                var result = await change(db, users, target);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
        }
        catch (DbUpdateException exception)
        {
            // A unique index settled a race another process won (the same email invited twice at once).
            logger.LogInformation(exception, "A user change lost a race");
            throw new UserRuleException("Someone changed this at the same moment; reload and try again.");
        }
        finally
        {
            Gate.Release();
        }
        // Outside the transaction: the guard writes its audit row with its own connection.
        throw await guard.RefuseAsync(actor, Permission.UsersManage, refusal ?? "", targetId: targetId, cancellationToken: cancellationToken);
    }

    private async Task<bool> StillManagesAsync(ApplicationDbContext db, string actorId, CancellationToken cancellationToken)
    {
        var me = await Summaries(db).Where(p => p.Id == actorId).FirstOrDefaultAsync(cancellationToken);
        return me is not null && !IsLocked(me.LockoutEnd, clock.GetUtcNow()) && AccessTable.ForRole(me.Role).Contains(Permission.UsersManage);
    }

    private async Task RequireAnotherActiveAdminAsync(ApplicationDbContext db, string exceptUserId, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var admins = await Summaries(db).Where(p => p.Role == AccessTable.AdminRole && p.Id != exceptUserId)
            .Select(p => p.LockoutEnd).ToListAsync(cancellationToken);
        if (!admins.Any(end => !IsLocked(end, now)))
        {
            throw new UserRuleException(message);
        }
    }

    private static async Task EndSessionsAsync(ApplicationDbContext db, UserManager<ApplicationUser> users, ApplicationUser user, CancellationToken cancellationToken)
    {
        await db.SignInSessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        Check(await users.UpdateSecurityStampAsync(user));
    }

    private async Task<UserSummary> SummaryAsync(ApplicationDbContext db, string id, CancellationToken cancellationToken)
    {
        var row = await Summaries(db).Where(p => p.Id == id).FirstAsync(cancellationToken);
        return row.ToSummary(clock.GetUtcNow());
    }

    private static IQueryable<PersonRow> Summaries(ApplicationDbContext db) =>
        db.Users.AsNoTracking().Select(u => new PersonRow
        {
            Id = u.Id,
            Email = u.Email ?? u.UserName ?? u.Id,
            Role = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).FirstOrDefault(),
            LastSignInAt = u.LastSignInAt,
            TwoFactorEnabled = u.TwoFactorEnabled,
            LockoutEnd = u.LockoutEnd,
            CreatedAt = u.CreatedAt,
        });

    private bool IsLocked(ApplicationUser user) => IsLocked(user.LockoutEnd, clock.GetUtcNow());

    private static bool IsLocked(DateTimeOffset? lockoutEnd, DateTimeOffset now) => lockoutEnd is { } end && end > now;

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new UserRuleException([.. result.Errors.Select(e => e.Description)]);
        }
    }

    private static string? Truncate(string? text, int max = EmailMaxLength) => text is null || text.Length <= max ? text : text[..max];

    private sealed class PersonRow
    {
        public required string Id { get; init; }
        public required string Email { get; init; }
        public string? Role { get; init; }
        public DateTime? LastSignInAt { get; init; }
        public bool TwoFactorEnabled { get; init; }
        public DateTimeOffset? LockoutEnd { get; init; }
        public DateTime? CreatedAt { get; init; }

        public UserSummary ToSummary(DateTimeOffset now) =>
            new(Id, Email, Role, LastSignInAt, TwoFactorEnabled, IsLocked(LockoutEnd, now), CreatedAt);
    }
}
