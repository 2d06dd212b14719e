using System.Net;
using System.Text.Json;
using KeysDashboard.Api;
using KeysDashboard.Idempotency;
using KeysDashboard.Keys;
using KeysDashboard.Keys.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.OpenApi;

namespace Microsoft.AspNetCore.Builder;

internal static class ApiExtensions
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiAuthorization.Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddApiRateLimits();

        services.AddSingleton<LastUsedRecorder>();
        services.AddHostedService<LastUsedFlusher>();
        services.AddSingleton<KeyCursor>();
        services.AddScoped<IdempotentRequests>();
        services.AddSingleton<IdempotencyMemory>();
        services.AddHostedService<IdempotencySweeper>();
        services.AddExceptionHandler<ApiExceptionHandler>();

        // The client address is the connection's, unless the connection comes from a proxy named in
        // ForwardedHeaders:KnownProxies / KnownIPNetworks; the defaults (loopback trusted) are cleared.
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            // The same canonical spellings as allowlists: IPAddress.Parse would read 010.0.0.1 as 8.0.0.1.
            foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            {
                options.KnownProxies.Add(IpAllowlist.TryParseAddress(proxy, out var address, out var error)
                    ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: {error}"));
            }
            foreach (var network in builder.Configuration.GetSection("ForwardedHeaders:KnownIPNetworks").Get<string[]>() ?? [])
            {
                options.KnownIPNetworks.Add(IpAllowlist.TryNormalize(network, out var normalized, out var error)
                    ? System.Net.IPNetwork.Parse(normalized.Contains('/') ? normalized : normalized + (normalized.Contains(':') ? "/128" : "/32"))
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownIPNetworks: {error}"));
            }
            // With both lists empty the middleware would trust every sender, so then it is switched off.
            options.ForwardedHeaders = options.KnownProxies.Count + options.KnownIPNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
        });

        PublicUrls.AddTo(services);
        // The configured public server first: ApiDocument trims it and copies it into info.contact.
        services.AddOpenApi("v1", options => options
            .AddDocumentTransformer<PublicServerUrl>()
            .AddDocumentTransformer<ApiDocument>()
            .AddSchemaTransformer<ApiSchemas>());
        return builder;
    }

    /// <summary>
    /// First in the pipeline, for every request: who the client is (trusted proxies only), a request id on every
    /// response, the exception handler (an error page for people, an envelope for the API), and envelopes for
    /// the API's bodiless 404/405/415s.
    /// </summary>
    public static WebApplication UseRequestEdge(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.Use(async (context, next) =>
        {
            await next(context);
            // Framework answers without a body (405 for a wrong method, say) still get the envelope.
            if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null or 0 })
            {
                await ApiResults.WriteErrorAsync(context, context.Response.StatusCode,
                    new ApiError(ReasonCode(context.Response.StatusCode), ReasonPhrase(context.Response.StatusCode)));
            }
        }));
        return app;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/openapi/v1.json", "KeysDashboard API v2");
            options.RoutePrefix = "api-docs";
            options.DocumentTitle = "KeysDashboard API";
        });
        app.MapKeysApi();
        return app;
    }

    private static string ReasonCode(int status) => status switch
    {
        404 => "not_found",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        _ => "error",
    };

    private static string ReasonPhrase(int status) => status switch
    {
        404 => "There is no API endpoint at this path.",
        405 => "This endpoint does not accept that HTTP method.",
        415 => "Send the body as JSON with 'Content-Type: application/json'.",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request failed.",
    };
}

/// <summary>
/// An unexpected failure on an API path becomes a 500 envelope with a request id, never a stack trace; a client
/// that went away mid-request is not a failure of ours and is only noted.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // By now the middleware has rewritten Request.Path to the error page's; the feature keeps the real one.
        var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path;
        if (!path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) && !path.Equals("/api", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (httpContext.RequestAborted.IsCancellationRequested && exception is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // Nobody is left to read an answer.
            LogClientGone(logger, httpContext.TraceIdentifier, exception.GetType().Name);
            return true;
        }
        if (exception is BadHttpRequestException bad)
        {
            LogUnreadable(logger, httpContext.TraceIdentifier, bad.Message);
            await ApiResults.WriteErrorAsync(httpContext, bad.StatusCode, new ApiError("bad_request", "The request could not be read."));
            return true;
        }
        logger.LogError(exception, "API request {RequestId} failed", httpContext.TraceIdentifier);
        await ApiResults.WriteErrorAsync(httpContext, 500, new ApiError("internal_error",
            $"Something went wrong on the server. Nothing secret was logged; quote request id {httpContext.TraceIdentifier}."));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "API request {RequestId} ended early: the client went away ({Exception}).")]
    private static partial void LogClientGone(ILogger logger, string requestId, string exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "API request {RequestId} could not be read: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string requestId, string reason);
}
