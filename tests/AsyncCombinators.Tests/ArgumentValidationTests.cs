using System.Reflection;
using AsyncCombinators.Tests.Infrastructure;

namespace AsyncCombinators.Tests;

/// <summary>
/// Every public method of the library throws <see cref="ArgumentNullException"/> with the right parameter name, at the
/// call, for each reference-type argument passed as null (MoreLINQ's null-argument test).
/// </summary>
public class ArgumentValidationTests
{
    public static IEnumerable<object[]> PublicMethodsWithReferenceParameters()
    {
        foreach (Type type in typeof(Async).Assembly.GetExportedTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.IsSpecialName)
                {
                    continue;
                }

                foreach (ParameterInfo parameter in method.GetParameters())
                {
                    if (!parameter.ParameterType.IsValueType && !IsNullableAnnotated(parameter))
                    {
                        yield return new object[] { new MethodCase(method, parameter.Position) };
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PublicMethodsWithReferenceParameters))]
    public void PublicMethod_NullArgument_ThrowsArgumentNullAtTheCall(MethodCase testCase)
    {
        MethodInfo method = testCase.Method.IsGenericMethodDefinition
            ? testCase.Method.MakeGenericMethod(testCase.Method.GetGenericArguments().Select(_ => typeof(int)).ToArray())
            : testCase.Method;
        ParameterInfo[] parameters = method.GetParameters();
        object?[] args = parameters.Select((p, i) => i == testCase.Position ? null : ValidValue(p.ParameterType)).ToArray();

        Action call = () =>
        {
            try
            {
                method.Invoke(null, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        };

        call.Should().Throw<ArgumentNullException>().WithParameterName(parameters[testCase.Position].Name);
    }

    [Fact]
    public void PublicSurface_ReferenceParameters_HaveNullArgumentCases()
    {
        PublicMethodsWithReferenceParameters().Count().Should().BeGreaterThan(30);
    }

    private static bool IsNullableAnnotated(ParameterInfo parameter) =>
        new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.Nullable;

    private static object? ValidValue(Type type)
    {
        if (type == typeof(TimeSpan))
        {
            return TimeSpan.FromSeconds(1);
        }

        if (type == typeof(TimeSpan?))
        {
            return TimeSpan.FromSeconds(1);
        }

        if (type == typeof(TimeProvider))
        {
            return new FakeTimeProvider();
        }

        if (type == typeof(Exception))
        {
            return new FormatException();
        }

        if (type == typeof(int))
        {
            return 1;
        }

        if (type == typeof(ConcurrencyOptions))
        {
            return new ConcurrencyOptions { MaxConcurrency = 1 };
        }

        if (type.IsValueType)
        {
            return Activator.CreateInstance(type);
        }

        if (type == typeof(Task))
        {
            return Task.CompletedTask;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, new object?[] { Activator.CreateInstance(type.GetGenericArguments()[0]) });
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            Type element = type.GetGenericArguments()[0];
            Array array = Array.CreateInstance(element, 1);
            array.SetValue(ValidValue(element), 0);
            return array;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Func<,>))
        {
            Type result = type.GetGenericArguments()[1];
            object? value = ValidValue(result);
            return typeof(ArgumentValidationTests).GetMethod(nameof(Constant), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetGenericArguments()[0], result).Invoke(null, new[] { value });
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Func<,,>))
        {
            Type[] arguments = type.GetGenericArguments();
            object? value = ValidValue(arguments[2]);
            return typeof(ArgumentValidationTests).GetMethod(nameof(Constant2), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(arguments[0], arguments[1], arguments[2]).Invoke(null, new[] { value });
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            return typeof(ArgumentValidationTests).GetMethod(nameof(EmptyAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, null);
        }

        throw new NotSupportedException($"No valid value for {type}.");
    }

    private static Func<TIn, TOut> Constant<TIn, TOut>(TOut value) => _ => value;

    private static Func<TIn1, TIn2, TOut> Constant2<TIn1, TIn2, TOut>(TOut value) => (_, _) => value;

#pragma warning disable CS1998 // An async iterator that yields nothing.
    private static async IAsyncEnumerable<T> EmptyAsync<T>()
    {
        yield break;
    }
#pragma warning restore CS1998

    public sealed class MethodCase
    {
        public MethodCase(MethodInfo method, int position)
        {
            Method = method;
            Position = position;
        }

        public MethodInfo Method { get; }

        public int Position { get; }

        public override string ToString() => $"{Method.DeclaringType!.Name}.{Method.Name}({string.Join(", ", Method.GetParameters().Select(p => p.ParameterType.Name))}) #{Position}";
    }
}
