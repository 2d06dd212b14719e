using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace KeysDashboard.Components.Account.Shared;

/// <summary>
/// MudBlazor's theme as CSS variables for the static account pages, in both palettes at once. The dashboard's
/// MudThemeProvider picks one palette with JS interop, which a static page never runs; here the browser picks:
/// the dark palette when the system asks for it, unless <c>&lt;html data-theme&gt;</c> (the dashboard's toggle,
/// kept in a cookie) says otherwise. The variables come from MudBlazor's own generator, so they are exactly the
/// ones its CSS classes read.
/// </summary>
public sealed class AccountThemeVariables : MudThemeProvider
{
    // The variables that differ between the palettes; MudBlazor's inputs read the second for native controls.
    private static readonly string[] SchemeVariablePrefixes = ["--mud-palette-", "--mud-native-html-color-scheme"];

    /// <summary>
    /// Emit the palette for the dark scheme (pass <c>IsDarkMode="true"</c> too, which makes MudBlazor generate it).
    /// MudBlazor's analyzer forbids reading IsDarkMode here, hence the second parameter.
    /// </summary>
    [Parameter]
    public bool DarkScheme { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (DarkScheme)
        {
            // Only the colours change with the scheme; typography, elevation and layout stay as :root has them.
            var palette = PaletteOnly(Variables());
            builder.AddMarkupContent(0,
                $"<style>@media (prefers-color-scheme: dark){{:root:not([data-theme=light]){{color-scheme:dark;{palette}}}}}" +
                $":root[data-theme=dark]{{color-scheme:dark;{palette}}}</style>");
        }
        else
        {
            builder.AddMarkupContent(0, $"<style>:root{{color-scheme:light;{Variables()}}}</style>");
        }
    }

    private string Variables()
    {
        var variables = new StringBuilder();
        GenerateTheme(variables);
        return variables.ToString();
    }

    private static string PaletteOnly(string variables) =>
        string.Concat(variables.Split('\n')
            .Select(line => line.Trim())
            .Where(line => SchemeVariablePrefixes.Any(prefix => line.StartsWith(prefix, StringComparison.Ordinal))));
}
