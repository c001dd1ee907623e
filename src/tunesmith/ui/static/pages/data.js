// The data page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'data.title': 'data' }, zh: { 'data.title': 'data' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.data')));
  },
};
