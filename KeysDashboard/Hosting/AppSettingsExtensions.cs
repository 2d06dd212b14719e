using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Microsoft.AspNetCore.Builder;

internal static class AppSettingsExtensions
{
    /// <summary>
    /// The one appsettings.json lives at the top of the repository. The build copies it next to the app
    /// (KeysDashboard.csproj links it), so `dotnet run --project KeysDashboard`, whose content root is the project
    /// folder, and a published folder started from anywhere both read that file. A file in the content root, as
    /// in a published folder started from its own directory, still wins; environment variables and the command
    /// line override both, as usual.
    /// </summary>
    public static WebApplicationBuilder UseTopLevelAppSettings(this WebApplicationBuilder builder)
    {
        var sources = builder.Configuration.Sources;
        var contentRootSettings = sources.OfType<JsonConfigurationSource>().FirstOrDefault(s => s.Path == "appsettings.json");
        if (contentRootSettings is null || File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")))
        {
            return builder;
        }

        var beside = new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json",
            Optional = true,
            // Same switch as the host's own appsettings.json watcher (tests turn it off: each watcher costs an
            // inotify instance, and Linux allows 128 per user by default).
            ReloadOnChange = builder.Configuration.GetValue("hostBuilder:reloadConfigOnChange", defaultValue: true),
        };
        sources.Insert(sources.IndexOf(contentRootSettings) + 1, beside);
        return builder;
    }
}
