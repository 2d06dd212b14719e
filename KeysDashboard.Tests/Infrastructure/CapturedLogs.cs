using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KeysDashboard.Tests.Infrastructure;

/// <summary>Keeps every log line the app writes, so a test can say what must (not) reach error level.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Line(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private readonly ConcurrentQueue<Line> lines = new();

    public IReadOnlyList<Line> Lines => [.. lines];

    public IEnumerable<Line> AtLeast(LogLevel level) => lines.Where(l => l.Level >= level);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<Line> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new Line(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
