using MudBlazor;

namespace KeysDashboard.Components.Layout;

/// <summary>
/// Colours chosen for contrast, not taken from MudBlazor's defaults (its success green on white is 2.2:1).
/// Ratios (WCAG, computed from these values): every status colour is ≥ 4.5:1 as text on the surface, on the
/// page background and on its own 6 % tint (text/outlined chips), and its ContrastText is ≥ 4.5:1 on the filled
/// colour (filled chips, buttons, snackbars).
///
/// Light, text on #ffffff / on #f5f5f7 / filled with white text:
///   Primary #3949ab 7.73 / 7.10 / 7.73 · Success #2a6f2e 6.16 / 5.65 / 6.16 · Warning #945200 6.06 / 5.56 / 6.06
///   Info #01659f 6.24 / 5.73 / 6.24 · Error #c62828 5.62 / 5.16 / 5.62 (text chip on #f5f5f7: 4.72)
///   App bar: white on #283593 10.39. Text primary #212121 14.79 on the background; secondary #5f6368 5.56 (6.05 on white).
/// Dark, text on surface #1e1f26 / on background #121318 / filled with #121212 text:
///   Primary #9fa8da 7.10 / 8.03 / 8.11 · Success #81c784 8.16 / 9.22 / 9.31 · Warning #ffb74d 9.48 / 10.72 / 10.82
///   Info #4fc3f7 8.19 / 9.26 / 9.35 · Error #ef9a9a 7.63 / 8.62 / 8.71 · text #e8e8ee 13.45 on the surface.
/// Nothing coloured sits on the app bar: its text and icons use the app bar text colour.
/// </summary>
internal static class DashboardTheme
{
    private const string DarkText = "#121212";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            PrimaryContrastText = "#ffffff",
            Secondary = "#ad1457",
            SecondaryContrastText = "#ffffff",
            Tertiary = "#00695c",
            TertiaryContrastText = "#ffffff",
            Success = "#2a6f2e",
            SuccessContrastText = "#ffffff",
            Warning = "#945200",
            WarningContrastText = "#ffffff",
            Info = "#01659f",
            InfoContrastText = "#ffffff",
            Error = "#c62828",
            ErrorContrastText = "#ffffff",
            Background = "#f5f5f7",
            Surface = "#ffffff",
            AppbarBackground = "#283593",
            AppbarText = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#212121",
            DrawerIcon = "#5f6368",
            TextPrimary = "#212121",
            TextSecondary = "#5f6368",
            ActionDefault = "#5f6368",
            // Input outlines are component boundaries: 4.5:1 on white, above the 3:1 they need.
            LinesInputs = "#767676",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            PrimaryContrastText = DarkText,
            Secondary = "#f48fb1",
            SecondaryContrastText = DarkText,
            Tertiary = "#80cbc4",
            TertiaryContrastText = DarkText,
            Success = "#81c784",
            SuccessContrastText = DarkText,
            Warning = "#ffb74d",
            WarningContrastText = DarkText,
            Info = "#4fc3f7",
            InfoContrastText = DarkText,
            Error = "#ef9a9a",
            ErrorContrastText = DarkText,
            Background = "#121318",
            Surface = "#1e1f26",
            AppbarBackground = "#1a1b22",
            AppbarText = "#e8e8ee",
            DrawerBackground = "#1e1f26",
            DrawerText = "#e8e8ee",
            DrawerIcon = "#b4b4c0",
            TextPrimary = "#e8e8ee",
            TextSecondary = "#b4b4c0",
            ActionDefault = "#b4b4c0",
            LinesInputs = "#8d8d99",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
