using System.IO;
using System.Reflection;
using System.Text;

namespace AsyncCombinators.Tests;

/// <summary>
/// The public surface, listed by reflection, must equal the checked-in src/AsyncCombinators/PublicAPI.txt, so an
/// accidental API change fails CI. After an intended change, copy the listing the failure prints (also written next to
/// the test assembly as PublicAPI.actual.txt) into PublicAPI.txt and note it in CHANGELOG.md.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesCheckedInListing()
    {
        string actual = Describe(typeof(Async).Assembly);
        string expectedPath = Path.Combine(AppContext.BaseDirectory, "PublicAPI.txt");
        string expected = File.ReadAllText(expectedPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "PublicAPI.actual.txt"), actual);

        actual.Should().Be(expected, "the public API changed; if intended, update src/AsyncCombinators/PublicAPI.txt with:\n" + actual);
    }

    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(DescribeType(type));
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = new List<string>();
            foreach (MemberInfo member in type.GetMembers(flags))
            {
                string? line = member switch
                {
                    ConstructorInfo c => $"  ctor({Parameters(c.GetParameters())})",
                    MethodInfo m when !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal) =>
                        $"  {(m.IsStatic ? "static " : string.Empty)}{m.Name}{GenericArguments(m)}({Parameters(m.GetParameters())}) -> {Name(m.ReturnType)}",
                    PropertyInfo p => $"  {(p.GetMethod?.IsStatic == true ? "static " : string.Empty)}{p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : string.Empty)}{(p.SetMethod?.IsPublic == true ? "set; " : string.Empty)}}} : {Name(p.PropertyType)}",
                    FieldInfo f when type.IsEnum && f.IsStatic => $"  {f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}",
                    FieldInfo f when !type.IsEnum => $"  field {f.Name} : {Name(f.FieldType)}",
                    _ => null,
                };
                if (line is not null)
                {
                    members.Add(line);
                }
            }

            lines.AddRange(members.OrderBy(l => l, StringComparer.Ordinal));
        }

        return string.Join("\n", lines) + "\n";
    }

    // By name: a netstandard2.0 build carries the compiler's own copy of the attribute, not the runtime's.
    private static bool IsReadOnly(Type type) =>
        type.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.IsReadOnlyAttribute");

    private static string DescribeType(Type type)
    {
        string kind = type.IsEnum ? "enum" : type.IsValueType ? (IsReadOnly(type) ? "readonly struct" : "struct")
            : type.IsInterface ? "interface" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";
        var bases = new List<string>();
        if (type.BaseType is not null && type.BaseType != typeof(object) && type.BaseType != typeof(ValueType) && type.BaseType != typeof(Enum))
        {
            bases.Add(Name(type.BaseType));
        }

        bases.AddRange(type.GetInterfaces().Select(Name).OrderBy(n => n, StringComparer.Ordinal));
        return $"{kind} {Name(type)}{(bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases))}";
    }

    private static string GenericArguments(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(ParameterInfo[] parameters) => string.Join(", ", parameters.Select(p =>
    {
        var text = new StringBuilder();
        text.Append(Name(p.ParameterType)).Append(' ').Append(p.Name);
        if (p.HasDefaultValue)
        {
            text.Append(" = ").Append(p.DefaultValue is null ? "default" : Convert.ToString(p.DefaultValue, System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        string name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (!type.IsGenericType)
        {
            return name;
        }

        int tick = name.IndexOf('`', StringComparison.Ordinal);
        string bare = tick < 0 ? name : name[..tick];
        return bare + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
