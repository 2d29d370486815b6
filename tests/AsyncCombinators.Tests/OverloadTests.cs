using System.Collections;
using System.Reflection;
using AsyncCombinators.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AsyncCombinators.Tests;

/// <summary>
/// Every public method of <see cref="Async"/>, called with valid arguments over two inputs (two items, two operations,
/// two sources of two items), completes with every input's result: each overload reaches the machinery it documents.
/// </summary>
public class OverloadTests
{
    public static IEnumerable<object[]> AsyncMethods() =>
        typeof(Async).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => new object[] { new ArgumentValidationTests.MethodCase(m, -1) });

    [Theory]
    [MemberData(nameof(AsyncMethods))]
    public async Task PublicMethod_ValidArguments_CompletesWithEveryInput(ArgumentValidationTests.MethodCase testCase)
    {
        MethodInfo method = testCase.Method.IsGenericMethodDefinition
            ? testCase.Method.MakeGenericMethod(testCase.Method.GetGenericArguments().Select(_ => typeof(int)).ToArray())
            : testCase.Method;
        object?[] args = method.GetParameters().Select(p => Valid(p.ParameterType)).ToArray();

        object? result = method.Invoke(null, args);

        int expected = method.GetParameters()[0].ParameterType.IsGenericType
            && method.GetParameters()[0].ParameterType.GetGenericArguments()[0].IsGenericType
            && method.GetParameters()[0].ParameterType.GetGenericArguments()[0].GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)
            ? 4
            : 2;
        switch (result)
        {
            case Task task:
                await task.Guard();
                task.IsCompletedSuccessfully.Should().BeTrue();
                object? value = method.ReturnType.IsGenericType ? method.ReturnType.GetProperty(nameof(Task<int>.Result))!.GetValue(task) : null;
                if (value is Array array)
                {
                    array.Length.Should().Be(2, "one result per input");
                    foreach (object? element in array)
                    {
                        element.Should().NotBeNull();
                        element!.GetType().GetProperty("IsSuccess")?.GetValue(element).Should().Be(true);
                    }
                }

                break;
            default:
                int count = 0;
                await foreach (object? item in Enumerate(result!))
                {
                    item.Should().NotBeNull();
                    count++;
                }

                count.Should().Be(expected, "one item per input");
                break;
        }
    }

    private static async IAsyncEnumerable<object?> Enumerate(object enumerable)
    {
        object enumerator = enumerable.GetType().GetMethod("GetAsyncEnumerator")!.Invoke(enumerable, new object[] { CancellationToken.None })!;
        Type type = enumerator.GetType().GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerator<>));
        var dispose = (IAsyncDisposable)enumerator;
        try
        {
            while (await (ValueTask<bool>)type.GetMethod("MoveNextAsync")!.Invoke(enumerator, null)!)
            {
                yield return type.GetProperty("Current")!.GetValue(enumerator);
            }
        }
        finally
        {
            await dispose.DisposeAsync();
        }
    }

    private static object? Valid(Type type)
    {
        if (type == typeof(int))
        {
            return 1;
        }

        if (type == typeof(TimeSpan) || type == typeof(TimeSpan?))
        {
            return TimeSpan.FromSeconds(1);
        }

        if (type == typeof(TimeProvider))
        {
            return new FakeTimeProvider();
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
            return Completed<int>();
        }

        if (type.IsGenericType)
        {
            Type definition = type.GetGenericTypeDefinition();
            Type[] arguments = type.GetGenericArguments();
            if (definition == typeof(Task<>))
            {
                return Call(nameof(Completed), arguments);
            }

            if (definition == typeof(IEnumerable<>))
            {
                Array array = Array.CreateInstance(arguments[0], 2);
                array.SetValue(Valid(arguments[0]), 0);
                array.SetValue(Valid(arguments[0]), 1);
                return array;
            }

            if (definition == typeof(IAsyncEnumerable<>))
            {
                return Call(nameof(TwoAsync), arguments);
            }

            if (definition == typeof(Func<,>))
            {
                return Call(nameof(Constant), new[] { arguments[0], arguments[1] }, Valid(arguments[1]));
            }

            if (definition == typeof(Func<,,>))
            {
                return Call(nameof(Constant2), arguments, Valid(arguments[2]));
            }
        }

        throw new NotSupportedException($"No valid value for {type}.");
    }

    private static object? Call(string name, Type[] typeArguments, params object?[] args) =>
        typeof(OverloadTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeArguments).Invoke(null, args);

    /// <summary>A distinct completed task each time (Task.FromResult may hand out one cached task for the same value).</summary>
    private static Task<T> Completed<T>()
    {
        var source = new TaskCompletionSource<T>();
        source.SetResult(default!);
        return source.Task;
    }

    private static Func<TIn, TOut> Constant<TIn, TOut>(TOut value) => _ => value;

    private static Func<TIn1, TIn2, TOut> Constant2<TIn1, TIn2, TOut>(TOut value) => (_, _) => value;

    private static async IAsyncEnumerable<T> TwoAsync<T>()
    {
        await Task.Yield();
        yield return default!;
        yield return default!;
    }
}
