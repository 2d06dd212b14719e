namespace KeysDashboard.E2E.Infrastructure;

/// <summary>A screen a test runs at. <see cref="Name"/> starts every screenshot's file name, so that widths do not overwrite each other.</summary>
public sealed record Viewport(string Name, int Width, int Height, bool IsMobile)
{
    /// <summary>The laptop every test used before phones were tested; tests without a viewport keep it.</summary>
    public static Viewport Laptop { get; } = new("1366", 1366, 768, IsMobile: false);

    /// <summary>A current mid-size phone (iPhone 12–15 class).</summary>
    public static Viewport Phone390 { get; } = new("390", 390, 844, IsMobile: true);

    /// <summary>The narrowest common Android phone; what fits here fits everywhere.</summary>
    public static Viewport Phone360 { get; } = new("360", 360, 740, IsMobile: true);

    public override string ToString() => $"{Width}x{Height}{(IsMobile ? " (phone, touch)" : "")}";
}
