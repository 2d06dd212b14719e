namespace Microsoft.AspNetCore.Builder;

internal static class AppContentRoot
{
    /// <summary>
    /// The content root is the current directory by default, which is wrong for a published app started from
    /// elsewhere (`cd / && dotnet /srv/app/KeysDashboard.dll`, a service unit without WorkingDirectory): its wwwroot
    /// would be missing and every static file an empty 200. Then the app's own folder is the content root.
    /// `dotnet run --project KeysDashboard` (current directory: the project, which has wwwroot) and an explicit
    /// --contentRoot or ASPNETCORE_CONTENTROOT are left as they are.
    /// </summary>
    public static WebApplicationOptions Options(string[] args)
    {
        var options = new WebApplicationOptions { Args = args };
        var explicitlySet = args.Any(arg => arg.Contains("contentRoot", StringComparison.OrdinalIgnoreCase))
            || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is { Length: > 0 };
        if (explicitlySet
            || Directory.Exists(Path.Combine(Environment.CurrentDirectory, "wwwroot"))
            || !Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot")))
        {
            return options;
        }
        return new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory };
    }
}
