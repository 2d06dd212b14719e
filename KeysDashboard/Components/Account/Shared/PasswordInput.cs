using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Rendering;

namespace KeysDashboard.Components.Account.Shared;

/// <summary>
/// A password box that binds like <see cref="InputText"/> (its name posts into the form model) but never writes the
/// value back into the page: after a failed post the HTML holds no password, not the rejected one nor its confirmation.
/// </summary>
public sealed class PasswordInput : InputText
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "input");
        builder.AddMultipleAttributes(1, AdditionalAttributes);
        builder.AddAttribute(2, "type", "password");
        if (!string.IsNullOrEmpty(NameAttributeValue))
        {
            builder.AddAttribute(3, "name", NameAttributeValue);
        }
        if (!string.IsNullOrEmpty(CssClass))
        {
            builder.AddAttribute(4, "class", CssClass);
        }
        builder.AddElementReferenceCapture(5, input => Element = input);
        builder.CloseElement();
    }
}
