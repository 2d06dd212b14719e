using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using KeysDashboard.Components;
using KeysDashboard.Components.Layout;
using MudBlazor.Services;

namespace Microsoft.AspNetCore.Builder;

internal static class DashboardExtensions
{
    public static WebApplicationBuilder AddDashboardUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(options =>
        {
            // At the top and brief: at the bottom of a phone, stacked messages covered the pager and the last rows.
            // Two at most, newest on top, a repeat of the same message not stacked again.
            options.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.TopCenter;
            options.SnackbarConfiguration.NewestOnTop = true;
            options.SnackbarConfiguration.MaxDisplayedSnackbars = 2;
            options.SnackbarConfiguration.PreventDuplicates = true;
            options.SnackbarConfiguration.VisibleStateDuration = 4000;
            options.SnackbarConfiguration.SnackbarVariant = MudBlazor.Variant.Filled;
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
        // On the app itself, not in a UseWhen branch: a branch loses the app's endpoint routes, so the re-executed
        // /not-found matched nothing and unknown pages answered an empty 404. API answers keep their own 404 bodies.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use(async (context, next) =>
        {
            var api = context.Request.Path.StartsWithSegments("/api");
            if (!api && HttpMethods.IsGet(context.Request.Method))
            {
                SystemColorScheme.RequestHint(context.Response);
            }
            await next(context);
            // Only "no such page" gets the not-found page; a bare 400 (a stale antiforgery token) or 405 is not one.
            if (api || context.Response.StatusCode != StatusCodes.Status404NotFound)
            {
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            }
        });
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
