using System.Reflection;
using System.Runtime.Versioning;

namespace AsyncCombinators.Tests;

/// <summary>
/// These tests run twice: against the library's net10.0 build (this project) and against its netstandard2.0 build
/// (AsyncCombinators.Tests.NetStandard, which compiles the same files with LIBRARY_NETSTANDARD defined).
/// </summary>
public class LibraryBuildTests
{
    [Fact]
    public void LibraryBuild_LoadedByTheTests_IsTheIntendedBuild()
    {
        string? framework = typeof(Async).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
#if LIBRARY_NETSTANDARD
        framework.Should().Be(".NETStandard,Version=v2.0");
#else
        framework.Should().Be(".NETCoreApp,Version=v10.0");
#endif
    }
}
