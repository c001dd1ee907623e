// The export page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'export.title': 'export' }, zh: { 'export.title': 'export' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.export')));
  },
};
