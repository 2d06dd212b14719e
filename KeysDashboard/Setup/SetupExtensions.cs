using KeysDashboard.Setup;

namespace Microsoft.AspNetCore.Builder;

internal static class SetupExtensions
{
    public static WebApplicationBuilder AddOwnerSetup(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<OwnerSetup>();
        builder.Services.AddSingleton<SetupState>();
        builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section);
        return builder;
    }

    /// <summary>
    /// Until the owner exists, a visit to the dashboard or the sign-in page goes to /setup instead of a sign-in
    /// form nobody can use. Once setup is done this costs one boolean read per request.
    /// </summary>
    public static IApplicationBuilder UseOwnerSetupRedirect(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var isPage = HttpMethods.IsGet(context.Request.Method) &&
                (path == "/" || path.StartsWithSegments("/keys") || path.StartsWithSegments("/Account/Login"));
            if (isPage && !await context.RequestServices.GetRequiredService<SetupState>().IsDoneAsync(context.RequestServices))
            {
                context.Response.Redirect("/setup");
                return;
            }
            await next(context);
        });

    /// <summary>Creates the owner from Bootstrap:AdminEmail/AdminPassword when configured and nobody exists yet.</summary>
    public static async Task BootstrapOwnerAsync(this WebApplication app)
    {
        var options = app.Configuration.GetSection(BootstrapOptions.Section).Get<BootstrapOptions>();
        if (string.IsNullOrWhiteSpace(options?.AdminEmail) || string.IsNullOrEmpty(options.AdminPassword))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<OwnerSetup>();
        var result = await setup.CreateOwnerAsync(options.AdminEmail, options.AdminPassword, clientIp: null);
        var logger = scope.ServiceProvider.GetRequiredService<ILogger<OwnerSetup>>();
        switch (result)
        {
            case OwnerSetupResult.Created:
                logger.LogInformation("Owner account created from Bootstrap settings");
                break;
            case OwnerSetupResult.Invalid invalid:
                // Refuse to start rather than run with a half-configured owner the operator believes exists.
                throw new InvalidOperationException("Bootstrap:AdminPassword or AdminEmail was refused: " + string.Join(" ", invalid.Errors));
        }
    }
}
