using KeysDashboard.Audit;
using KeysDashboard.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Setup;

internal abstract record OwnerSetupResult
{
    public sealed record Created(ApplicationUser User) : OwnerSetupResult;
    public sealed record AlreadyDone : OwnerSetupResult;
    public sealed record Invalid(IReadOnlyList<string> Errors) : OwnerSetupResult;
}

/// <summary>Creates the first account, the owner, exactly once: from the /setup page or from Bootstrap settings.</summary>
internal sealed class OwnerSetup(
    ApplicationDbContext db,
    UserManager<ApplicationUser> userManager,
    TimeProvider clock,
    ILogger<OwnerSetup> logger)
{
    public const string AdminRole = Access.AccessTable.AdminRole;

    // Serialises setups within this process; the InstallationOwner primary key settles races between processes.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public Task<bool> IsDoneAsync(CancellationToken cancellationToken = default) =>
        db.InstallationOwners.AnyAsync(cancellationToken);

    public async Task<OwnerSetupResult> CreateOwnerAsync(string email, string password, string? clientIp, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (await IsDoneAsync(cancellationToken) || await db.Users.AnyAsync(cancellationToken))
            {
                return new OwnerSetupResult.AlreadyDone();
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var user = new ApplicationUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, CreatedAt = clock.GetUtcNow().UtcDateTime };
            var created = await userManager.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                return new OwnerSetupResult.Invalid([.. created.Errors.Select(e => e.Description)]);
            }

            // Seeded at start; ensured again here for a database the app did not start on (tests, the CLI).
            await RoleSeeding.EnsureRoleAsync(db, AdminRole, cancellationToken);
            var roleAdded = await userManager.AddToRoleAsync(user, AdminRole);
            if (!roleAdded.Succeeded)
            {
                throw new InvalidOperationException("Could not give the owner the Admin role: " + string.Join(" ", roleAdded.Errors.Select(e => e.Description)));
            }

            var now = clock.GetUtcNow().UtcDateTime;
            db.InstallationOwners.Add(new InstallationOwner { UserId = user.Id, CreatedAt = now });
            db.AuditEntries.Add(AuditEntry.For(Access.Actor.Person(user.Id, user.Email!, AdminRole, clientIp), AuditActions.OwnerCreated, now,
                targetId: user.Id, targetName: user.Email));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another process committed its owner first; ours rolls back with the transaction.
                return new OwnerSetupResult.AlreadyDone();
            }

            logger.LogInformation("Owner account {UserId} created", user.Id);
            return new OwnerSetupResult.Created(user);
        }
        finally
        {
            Gate.Release();
        }
    }
}
