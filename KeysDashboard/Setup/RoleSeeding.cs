using KeysDashboard.Access;
using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Setup;

/// <summary>
/// Makes sure every role of <see cref="AccessTable.Roles"/> exists as an Identity role. Each role is one
/// <c>INSERT ... ON CONFLICT DO NOTHING</c> against the unique index on the role's normalized name, so two
/// instances starting at once (or setup running beside a start) both succeed and leave exactly one row per role:
/// no read-then-write window to race in.
/// </summary>
internal static class RoleSeeding
{
    public static async Task EnsureRolesAsync(ApplicationDbContext db, CancellationToken cancellationToken = default)
    {
        foreach (var role in AccessTable.RoleNames)
        {
            await EnsureRoleAsync(db, role, cancellationToken);
        }
    }

    public static async Task EnsureRoleAsync(ApplicationDbContext db, string role, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid().ToString();
        var normalized = role.ToUpperInvariant();
        var stamp = Guid.NewGuid().ToString();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO AspNetRoles (Id, Name, NormalizedName, ConcurrencyStamp) VALUES ({id}, {role}, {normalized}, {stamp}) ON CONFLICT DO NOTHING",
            cancellationToken);
    }
}
