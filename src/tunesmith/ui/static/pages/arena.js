// The arena page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'arena.title': 'arena' }, zh: { 'arena.title': 'arena' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.arena')));
  },
};
