using FsCheck;
using FsCheck.Fluent;
using MemLens.Formatting;
using Xunit;

namespace MemLens.Tests.Formatting;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("System.Byte[]", "System.Byte[]")]
    [InlineData("Evil\u001b[31mRed\u001b[0m", "Evil\\x1b[31mRed\\x1b[0m")]
    [InlineData("a\r\nb\tc\0", "a\\x0d\\x0ab\\x09c\\x00")]
    [InlineData("csi\u009b2J", "csi\\x9b2J")]
    [InlineData("rtl\u202eexe.txt", "rtl\\u202eexe.txt")]
    [InlineData("Dictionary`2[System.String,List`1[Über]]", "Dictionary`2[System.String,List`1[Über]]")]
    public void Control_characters_are_shown_as_escapes_and_the_rest_is_kept(string raw, string shown)
    {
        Assert.Equal(shown, TerminalText.Sanitize(raw));
    }

    [Fact]
    public void No_string_comes_out_with_a_control_character()
    {
        Prop.ForAll<string>(s =>
        {
            string shown = TerminalText.Sanitize(s);
            return shown.All(c => c >= 0x20 && (c < 0x7F || c > 0x9F) && c is not ('\u2028' or '\u2029' or '\u202e'));
        }).QuickCheckThrowOnFailure();
    }
}
