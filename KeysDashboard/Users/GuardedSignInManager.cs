using System.Security.Claims;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace KeysDashboard.Users;

/// <summary>
/// Identity's sign-in with two holes closed.
/// <para>
/// Parallel guessing: Identity reads the failure count, checks the secret, then writes count + 1 guarded by the
/// user's concurrency stamp. Forty guesses sent at once all read "0 failures", all get evaluated, and most of
/// their increments are refused as concurrency failures, so the account is never locked. Here every attempt on
/// one account (password, authenticator code, recovery code) runs one at a time, and the account is read inside
/// that turn, so each failure is counted against the count the previous attempt left and the sixth guess meets
/// a locked account without being evaluated.
/// </para>
/// <para>
/// Account discovery: for an unknown email Identity answers at once while a real account pays for a password
/// hash, and it never locks. Here an unknown email costs the same hash and locks after the same number of
/// failures for the same time, so neither timing nor the lockout page tells which emails have accounts.
/// </para>
/// The turn is per process; instances sharing one database still count every failure through the stamp check.
/// <para>
/// Audit: every password, authenticator-code, recovery-code and passkey attempt leaves signin.succeeded, signin.failed or
/// signin.locked_out (a correct password that still needs the second factor leaves nothing; the second step
/// does). A success is the person's own act and records their sign-in time; a failure's actor is "anonymous"
/// (whoever typed it) with the account, or the typed email trimmed to 256 characters, as the target. The
/// password never reaches the log.
/// </para>
/// </summary>
internal sealed class GuardedSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    SignInTurns turns,
    UnknownAccountAttempts unknownAccounts,
    ApplicationDbContext db,
    IDbContextFactory<ApplicationDbContext> dbFactory,
    TimeProvider clock)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var normalized = UserManager.NormalizeName(userName) ?? "";
        using var turn = await turns.WaitAsync("name:" + normalized, Context.RequestAborted);

        var user = await UserManager.FindByNameAsync(userName);
        if (user is not null)
        {
            await RefreshAsync(user.Id);
        }
        if (user is null)
        {
            var unknown = unknownAccounts.Check(normalized, password, UserManager.PasswordHasher);
            await AuditAsync(unknown, "password", userId: null, typedName: userName);
            return unknown;
        }
        var result = await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        await AuditAsync(result, "password", user.Id, userName);
        return result;
    }

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var (turn, userId) = await TwoFactorTurnAsync();
        using (turn)
        {
            var result = await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
            await AuditAsync(result, "authenticator", userId, typedName: null);
            return result;
        }
    }

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var (turn, userId) = await TwoFactorTurnAsync();
        using (turn)
        {
            var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
            await AuditAsync(result, "recovery_code", userId, typedName: null);
            return result;
        }
    }

    public override async Task<SignInResult> TwoFactorSignInAsync(string provider, string code, bool isPersistent, bool rememberClient)
    {
        var (turn, userId) = await TwoFactorTurnAsync();
        using (turn)
        {
            var result = await base.TwoFactorSignInAsync(provider, code, isPersistent, rememberClient);
            await AuditAsync(result, provider, userId, typedName: null);
            return result;
        }
    }

    public override async Task<SignInResult> PasskeySignInAsync(string credentialJson)
    {
        signedIn = null;
        var result = await base.PasskeySignInAsync(credentialJson);
        await AuditAsync(result, "passkey", signedIn?.Id, typedName: null);
        return result;
    }

    // The person a passkey sign-in just signed in: the base method finds them from the credential and says only "succeeded".
    private ApplicationUser? signedIn;

    public override Task SignInWithClaimsAsync(ApplicationUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        signedIn = user;
        return base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
    }

    private async Task<(IDisposable Turn, string? UserId)> TwoFactorTurnAsync()
    {
        // The user id from the two-factor cookie, without loading the user: the base method loads it inside the turn.
        var pending = await Context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        var userId = pending.Principal?.FindFirstValue(ClaimTypes.Name) ?? "";
        var turn = await turns.WaitAsync("id:" + userId, Context.RequestAborted);
        await RefreshAsync(userId);
        return (turn, userId.Length > 0 ? userId : null);
    }

    /// <summary>One audit row per attempt; a success also records the person's sign-in time, in the same transaction.</summary>
    private async Task AuditAsync(SignInResult result, string method, string? userId, string? typedName)
    {
        if (result.RequiresTwoFactor)
        {
            return;
        }
        var action = result.Succeeded ? AuditActions.SignInSucceeded : result.IsLockedOut ? AuditActions.SignInLockedOut : AuditActions.SignInFailed;
        var now = clock.GetUtcNow().UtcDateTime;
        var ip = Context.Connection.RemoteIpAddress?.ToString();
        // Not cancellable: a client that hangs up after its guess still leaves the trace.
        await using var audit = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var person = userId is null ? null : await audit.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new
            {
                u.Email,
                Role = audit.UserRoles.Where(r => r.UserId == u.Id).Join(audit.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(CancellationToken.None);
        var targetName = person?.Email ?? Trimmed(typedName);
        var actor = result.Succeeded && person is not null
            ? Actor.Person(userId!, person.Email ?? userId!, person.Role, ip, Context.TraceIdentifier)
            : new Actor("anonymous", "anonymous", ip) { Kind = ActorKind.Person, RequestId = Context.TraceIdentifier };
        await using var transaction = await audit.Database.BeginTransactionAsync(CancellationToken.None);
        audit.AuditEntries.Add(AuditEntry.For(actor, action, now, result.Succeeded ? AuditOutcomes.Success : AuditOutcomes.Failure,
            details: new { method, not_allowed = result.IsNotAllowed ? true : (bool?)null }, targetId: userId, targetName: targetName));
        if (result.Succeeded)
        {
            await audit.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.LastSignInAt, now), CancellationToken.None);
        }
        await audit.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    private static string? Trimmed(string? typed)
    {
        var text = typed?.Trim();
        return text is { Length: > 256 } ? text[..256] : text;
    }

    /// <summary>
    /// Re-reads a user this request already loaded (the two-factor page loads it before the turn): EF hands back
    /// the tracked copy, whose failure count and concurrency stamp may be older than the last attempt's.
    /// </summary>
    private async Task RefreshAsync(string userId)
    {
        var tracked = db.ChangeTracker.Entries<ApplicationUser>().FirstOrDefault(e => e.Entity.Id == userId);
        if (tracked is not null)
        {
            await tracked.ReloadAsync(Context.RequestAborted);
        }
    }
}

/// <summary>One sign-in attempt at a time per account, in this process; turns for idle accounts are dropped.</summary>
internal sealed class SignInTurns
{
    private readonly Dictionary<string, Turn> turns = new(StringComparer.Ordinal);

    public async Task<IDisposable> WaitAsync(string account, CancellationToken cancellationToken)
    {
        Turn turn;
        lock (turns)
        {
            if (!turns.TryGetValue(account, out turn!))
            {
                turn = new Turn(this, account);
                turns[account] = turn;
            }
            turn.Users++;
        }
        try
        {
            await turn.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(turn);
            throw;
        }
        return turn;
    }

    private void Leave(Turn turn)
    {
        lock (turns)
        {
            if (--turn.Users == 0)
            {
                turns.Remove(turn.Account);
                turn.Gate.Dispose();
            }
        }
    }

    private sealed class Turn(SignInTurns owner, string account) : IDisposable
    {
        public string Account { get; } = account;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users { get; set; }

        public void Dispose()
        {
            Gate.Release();
            owner.Leave(this);
        }
    }
}

/// <summary>
/// Makes a sign-in for an email without an account cost and answer what a real account's would: one password
/// hash per attempt, "invalid" for the first failures and "locked out" after as many as lock a real account,
/// for as long. Remembered in memory, bounded in size.
/// </summary>
internal sealed class UnknownAccountAttempts(IOptions<IdentityOptions> identityOptions, TimeProvider clock) : IDisposable
{
    private readonly MemoryCache failures = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private string? decoyHash;

    /// <summary>Callers hold the account's sign-in turn, so reads and writes of one entry never interleave.</summary>
    public SignInResult Check(string normalizedName, string password, IPasswordHasher<ApplicationUser> hasher)
    {
        var lockout = identityOptions.Value.Lockout;
        var now = clock.GetUtcNow();
        var entry = failures.Get<Entry>(normalizedName) ?? new Entry(0, null);
        if (entry.LockedUntil > now)
        {
            return SignInResult.LockedOut;
        }

        // The same work a real account's wrong password costs; the answer is thrown away.
        decoyHash ??= hasher.HashPassword(new ApplicationUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        hasher.VerifyHashedPassword(new ApplicationUser(), decoyHash, password);

        var count = entry.LockedUntil is null ? entry.Failures + 1 : 1;
        var locked = count >= lockout.MaxFailedAccessAttempts;
        var next = locked ? new Entry(0, now + lockout.DefaultLockoutTimeSpan) : new Entry(count, null);
        failures.Set(normalizedName, next, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lockout.DefaultLockoutTimeSpan });
        return locked ? SignInResult.LockedOut : SignInResult.Failed;
    }

    public void Dispose() => failures.Dispose();

    private sealed record Entry(int Failures, DateTimeOffset? LockedUntil);
}
