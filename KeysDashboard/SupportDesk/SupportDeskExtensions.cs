using KeysDashboard.SupportDesk;

namespace Microsoft.AspNetCore.Builder;

internal static class SupportDeskExtensions
{
    public static WebApplicationBuilder AddSupportDesk(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<KeySelection>();
        return builder;
    }
}
