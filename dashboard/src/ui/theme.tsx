import { useState } from 'preact/hooks';

type Theme = 'light' | 'dark' | 'system';
const KEY = 'routerly-theme';

function stored(): Theme {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Applies the stored choice: `system` leaves it to prefers-color-scheme (styles.css). */
export function applyTheme(theme: Theme = stored()): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(stored());
  return (
    <button
      type="button"
      class="ghost"
      title="Colour theme: system, light or dark"
      onClick={() => {
        const next = NEXT[theme];
        if (next === 'system') localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, next);
        applyTheme(next);
        setTheme(next);
      }}
    >
      Theme: {theme}
    </button>
  );
}
