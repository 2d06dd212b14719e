using Microsoft.AspNetCore.Antiforgery;
using KeysDashboard.Components;
using MudBlazor.Services;

namespace Microsoft.AspNetCore.Builder;

internal static class DashboardExtensions
{
    public static WebApplicationBuilder AddDashboardUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
            // Newest on top, and room for a few: a queued message would otherwise wait behind stale ones.
            options.SnackbarConfiguration.NewestOnTop = true;
            options.SnackbarConfiguration.MaxDisplayedSnackbars = 3;
            options.SnackbarConfiguration.VisibleStateDuration = 3000;
        });
        // Static web assets (MudBlazor's CSS and JS) are served from the build output in every environment, not
        // only Development, so `dotnet run` in Production looks the same as a published app.
        builder.WebHost.UseStaticWebAssets();
        // The antiforgery cookie's default is to be sent over plain http too; over https it must stay there.
        builder.Services.Configure<AntiforgeryOptions>(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }

    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseOwnerSetupRedirect();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        return app;
    }
}
