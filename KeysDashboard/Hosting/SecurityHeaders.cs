using System.Security.Cryptography;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Headers on every response, set just before it starts so error pages, 404s and static files get them too.
/// Pages (the dashboard, the sign-in forms, the API reference) get a Content-Security-Policy: scripts only from
/// this origin or carrying this response's nonce (Blazor's import map is the one inline script), no framing, no
/// plugins. Styles allow inline because MudBlazor sets style attributes. API answers are never cached: some carry
/// a secret.
/// </summary>
internal static class SecurityHeaders
{
    private const string NonceKey = "KeysDashboard.CspNonce";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // Only on https, and never for localhost (UseHsts leaves those out by itself).
        app.UseHsts();
        app.Use((context, next) =>
        {
            // Error and 404 pages run the pipeline again on the same request: keep its one nonce and one callback.
            if (context.Items.ContainsKey(NonceKey))
            {
                return next(context);
            }
            var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (IsApi(context.Request.Path))
                {
                    headers.CacheControl = "no-store";
                }
                else
                {
                    headers.ContentSecurityPolicy =
                        "default-src 'self'; " +
                        $"script-src 'self' 'nonce-{nonce}'; " +
                        "style-src 'self' 'unsafe-inline'; " +
                        "img-src 'self' data:; " +
                        "font-src 'self' data:; " +
                        "connect-src 'self'; " +
                        "object-src 'none'; " +
                        "base-uri 'self'; " +
                        "form-action 'self'; " +
                        "frame-ancestors 'none'";
                    headers.XFrameOptions = "DENY";
                    // Not no-referrer: that makes browsers send `Origin: null` on form posts, and the passkey check
                    // compares the authenticator's origin with the request's.
                    headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                }
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    /// <summary>The nonce this response's Content-Security-Policy allows for inline scripts.</summary>
    public static string CspNonce(this HttpContext context) => context.Items[NonceKey] as string ?? "";

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);
}
