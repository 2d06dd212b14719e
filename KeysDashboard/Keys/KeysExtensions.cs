using KeysDashboard.Keys;
using KeysDashboard.Users;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Microsoft.AspNetCore.Builder;

internal static class KeysExtensions
{
    public static WebApplicationBuilder AddKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeyOptions>()
            .BindConfiguration(KeyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KeysDashboard.Access.AccessGuard>();
        builder.Services.AddScoped<KeyService>();
        builder.Services.AddScoped<KeyList>();
        builder.Services.AddScoped<KeysDashboard.Components.Shared.ViewerTimeZone>();

        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CircuitClientAddress>();
        builder.Services.AddScoped<CircuitHandler>(sp => sp.GetRequiredService<CircuitClientAddress>());
        builder.Services.AddSingleton<PersonActors>();
        builder.Services.AddScoped<DashboardActor>();
        return builder;
    }
}
