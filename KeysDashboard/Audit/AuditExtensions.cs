using KeysDashboard.Audit;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Microsoft.AspNetCore.Builder;

internal static class AuditExtensions
{
    /// <summary>The audit log's reader, retention and API. The chain itself (sealing) is part of the database.</summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddSingleton<AuditRetention>();
        builder.Services.AddSingleton<AuditCursor>();
        builder.Services.AddHostedService<AuditRetentionService>();
        // After the API's own transformers (which set the document's tags): the Audit tag is declared too.
        builder.Services.Configure<OpenApiOptions>("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Tags ??= new HashSet<OpenApiTag>();
            document.Tags.Add(new OpenApiTag { Name = AuditApi.Tag, Description = "The audit log: who did what, read with the audit:read scope." });
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapAudit(this WebApplication app)
    {
        app.MapAuditApi();
        app.MapAuditExport();
        return app;
    }
}
