using System;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>Reads a completed operation's task as an <see cref="Outcome{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class OutcomeOf<T>
{
    public static readonly Func<Task, Outcome<T>> Read = static task => Outcome<T>.FromCompletedTask((Task<T>)task);
}

/// <summary>Reads a completed operation's task as an <see cref="Outcome"/>.</summary>
internal static class OutcomeOf
{
    public static readonly Func<Task, Outcome> Read = static task => Outcome.FromCompletedTask(task);
}

/// <summary>The items AsCompleted over operations yields.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class AsCompletedItem<T>
{
    public static readonly Func<int, Task, (int Index, Task<T> Task)> Typed = static (index, task) => (index, (Task<T>)task);
}

/// <summary>The items AsCompleted over untyped operations yields.</summary>
internal static class AsCompletedItem
{
    public static readonly Func<int, Task, (int Index, Task Task)> Untyped = static (index, task) => (index, task);
}

/// <summary>The items Map yields: a succeeded operation's result.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class MapItem<T>
{
    public static readonly Func<int, Task, T> Result = static (_, task) => ((Task<T>)task).Result;
}
