using KeysDashboard.Data;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Setup;

internal sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
}

/// <summary>Remembers that setup is done; it never becomes undone, so one database read suffices.</summary>
internal sealed class SetupState
{
    private volatile bool done;

    public async ValueTask<bool> IsDoneAsync(IServiceProvider requestServices)
    {
        if (done)
        {
            return true;
        }
        var db = requestServices.GetRequiredService<ApplicationDbContext>();
        done = await db.InstallationOwners.AnyAsync();
        return done;
    }
}
