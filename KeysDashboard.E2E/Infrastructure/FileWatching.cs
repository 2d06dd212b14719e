using System.Runtime.CompilerServices;

namespace KeysDashboard.E2E.Infrastructure;

internal static class FileWatching
{
    /// <summary>
    /// Many app hosts run side by side in a test run; inotify watchers for anything they watch (static files,
    /// key rings) would exhaust the default limit of 128 per user. Polling costs a timer instead.
    /// </summary>
    [ModuleInitializer]
    internal static void UsePolling() => Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
}
