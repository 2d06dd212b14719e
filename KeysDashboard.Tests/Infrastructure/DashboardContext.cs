using KeysDashboard.Access;
using System.Security.Claims;
using Bunit;
using Bunit.Rendering;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Users;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace KeysDashboard.Tests.Infrastructure;

/// <summary>
/// bUnit with the real key service over a real, migrated SQLite file, MudBlazor's real dialogs and a signed-in
/// owner. JS calls are loose (MudBlazor makes many) except where a test sets one up to check it.
/// </summary>
public abstract class DashboardContext : BunitContext, IAsyncLifetime
{
    private readonly string databasePath = Path.Combine(Path.GetTempPath(), "keysdashboard-bunit", Guid.NewGuid().ToString("N") + ".db");

    internal static readonly Actor Admin = Actor.Person("user-1", "owner@example.com", AccessTable.AdminRole, null);

    protected DashboardContext()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddLogging();
        Services.Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(Microsoft.AspNetCore.Builder.IdentityExtensions.ConfigureIdentity);
        Services.AddDbContextFactory<ApplicationDbContext>(o => o.UseSqlite($"Data Source={databasePath}").AddInterceptors(SlowDatabase, KeyWrites));
        Services.AddSingleton(TimeProvider.System);
        // No periodic refresh: a test decides when the grid renders.
        Services.AddOptions<KeysDashboard.Keys.KeyOptions>().Configure(o => o.DashboardRefreshSeconds = 0);
        Services.AddSingleton<AccessGuard>();
        Services.AddScoped<KeyService>();
        Services.AddScoped<KeyList>();
        Services.AddScoped<KeysDashboard.SupportDesk.KeySelection>();
        Services.AddScoped<KeysDashboard.Components.Shared.ViewerTimeZone>();
        Services.AddSingleton<IHttpContextAccessor, HttpContextAccessor>();
        Services.AddScoped<CircuitClientAddress>();
        Services.AddSingleton<PersonActors>();
        Services.AddScoped<DashboardActor>();

        var authorization = AddAuthorization();
        authorization.SetAuthorized(Admin.Name);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, Admin.Id));
    }

    internal SlowDatabase SlowDatabase { get; } = new();

    /// <summary>Holds a key write when a test closes it, to act while that write is provably in flight.</summary>
    internal KeyWriteGate KeyWrites { get; } = new();

    internal KeyService Keys => Services.GetRequiredService<KeyService>();

    internal async Task<List<ApiKey>> StoredKeysAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await db.ApiKeys.AsNoTracking().ToListAsync();
    }

    /// <summary>The component under test inside the providers a real layout gives it.</summary>
    internal IRenderedComponent<ContainerFragment> RenderWithProviders<TComponent>() where TComponent : IComponent =>
        Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
            builder.OpenComponent<TComponent>(3);
            builder.CloseComponent();
        });

    public async ValueTask InitializeAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
        // The signed-in person exists, as an Admin until a test says otherwise (UseRoleAsync).
        db.Users.Add(new ApplicationUser { Id = Admin.Id, UserName = Admin.Name, Email = Admin.Name, NormalizedEmail = Admin.Name.ToUpperInvariant(), NormalizedUserName = Admin.Name.ToUpperInvariant() });
        foreach (var role in AccessTable.RoleNames)
        {
            db.Roles.Add(new Microsoft.AspNetCore.Identity.IdentityRole(role) { Id = role, NormalizedName = role.ToUpperInvariant() });
        }
        db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<string> { UserId = Admin.Id, RoleId = AccessTable.AdminRole });
        await db.SaveChangesAsync();
    }

    /// <summary>Gives the signed-in person another role (or none); the services read it at the next action.</summary>
    internal async Task UseRoleAsync(string? role)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        await db.UserRoles.Where(r => r.UserId == Admin.Id).ExecuteDeleteAsync();
        if (role is not null)
        {
            db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<string> { UserId = Admin.Id, RoleId = role });
            await db.SaveChangesAsync();
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(databasePath);
        GC.SuppressFinalize(this);
    }
}
