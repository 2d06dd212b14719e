using KeysDashboard.Data;
using KeysDashboard.Setup;

namespace Microsoft.AspNetCore.Builder;

internal static class RoleSeedingExtensions
{
    /// <summary>Creates the roles of the access table that the database lacks (Admin, Support, Auditor). Safe to run from many instances at once.</summary>
    public static async Task SeedRolesAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await RoleSeeding.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<ApplicationDbContext>());
    }
}
